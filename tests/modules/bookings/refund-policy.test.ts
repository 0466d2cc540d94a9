// Cancellation refunds by policy, deadline, time zone and party, from explicit instants and
// hand-computed amounts; then properties over a grid of cancellations.
import { describe, expect, it } from "vitest";
import { addDays, formatCalendarDate, parseCalendarDate } from "../../../src/core/calendar-date.ts";
import type { CancellationPolicy } from "../../../src/generated/prisma/enums.ts";
import {
  type Cancellation,
  checkInInstant,
  checkOutInstant,
  hostShareAfter,
  type RefundBreakdown,
  refundFor,
} from "../../../src/modules/bookings/refund-policy.ts";
import { type BookingSnapshot, SNAPSHOT_VERSION } from "../../../src/modules/bookings/snapshot.ts";
import { quoteStay } from "../../../src/modules/pricing/quote.ts";

const KIRITIMATI = "Pacific/Kiritimati"; // UTC+14, no DST
const HONOLULU = "Pacific/Honolulu"; // UTC−10, no DST
const LISBON = "Europe/Lisbon"; // WET/WEST: summer time from 2027-03-28 01:00Z

interface StayOptions {
  policy: CancellationPolicy;
  timeZone: string;
  checkIn?: string;
  nightPrices?: number[];
  cleaningFee?: number;
}

/** A snapshot as a booking stores it: 15:00 check-in, 11:00 check-out, 14% service fee, 10% taxes, 10% weekly. */
function snapshot({
  policy,
  timeZone,
  checkIn = "2027-03-10",
  nightPrices = [10_000, 10_000, 10_000],
  cleaningFee = 5_000,
}: StayOptions): BookingSnapshot {
  const quote = quoteStay({
    currency: "USD",
    nightPrices,
    cleaningFee,
    weeklyDiscountPercent: 10,
    monthlyDiscountPercent: 20,
    serviceFeeBps: 1_400,
    taxBps: 1_000,
  });
  const start = parseCalendarDate(checkIn);
  if (!start) throw new Error(`bad test date ${checkIn}`);
  return {
    version: SNAPSHOT_VERSION,
    checkIn,
    checkOut: formatCalendarDate(addDays(start, nightPrices.length)),
    quote,
    fees: { serviceFeeBps: 1_400, taxBps: 1_000, hostFeeBps: 300 },
    cancellationPolicy: policy,
    listing: { title: "Test stay", timeZone, checkInTime: "15:00", checkOutTime: "11:00" },
  };
}

const at = (iso: string) => new Date(iso);
const BOOKED = "2027-02-01T00:00:00Z";
const guest = (when: string, bookedAt = BOOKED): Cancellation => ({
  by: "GUEST",
  at: at(when),
  bookedAt: at(bookedAt),
});
const amounts = (r: RefundBreakdown) => [r.nights, r.cleaningFee, r.serviceFee, r.taxes, r.total];

// The 3-night stay (3 × 100.00, cleaning 50.00): service fee 42.00, taxes 10% of 392.00 = 39.20, total 431.20.
// Before check-in: [nights, cleaning, service fee, taxes, total]
const FULL = [30_000, 5_000, 4_200, 3_920, 43_120];
const ALL_BUT_FIRST = [20_000, 5_000, 0, 2_500, 27_500]; // taxes 3,920 × 25,000 / 39,200
const HALF = [15_000, 5_000, 0, 2_000, 22_000]; // taxes 3,920 × 20,000 / 39,200
const CLEANING_ONLY = [0, 5_000, 0, 500, 5_500]; // taxes 3,920 × 5,000 / 39,200
// Just after check-in (the first night has begun, the cleaning fee is kept):
const FLEXIBLE_AFTER_CHECK_IN = [20_000, 0, 0, 2_000, 22_000];
const MODERATE_AFTER_CHECK_IN = [10_000, 0, 0, 1_000, 11_000];
const NOTHING = [0, 0, 0, 0, 0];

describe("check-in and check-out instants", () => {
  it.each([
    [KIRITIMATI, "2027-03-10T01:00:00.000Z", "2027-03-12T21:00:00.000Z"],
    [HONOLULU, "2027-03-11T01:00:00.000Z", "2027-03-13T21:00:00.000Z"],
    [LISBON, "2027-03-10T15:00:00.000Z", "2027-03-13T11:00:00.000Z"],
  ])("%s: 15:00 on 2027-03-10 to 11:00 on 2027-03-13", (timeZone, checkIn, checkOut) => {
    const stay = snapshot({ policy: "FLEXIBLE", timeZone });
    expect(checkInInstant(stay).toISOString()).toBe(checkIn);
    expect(checkOutInstant(stay).toISOString()).toBe(checkOut);
  });
});

describe("refundFor: a guest's cancellation of a 3-night stay from 2027-03-10, 15:00 local", () => {
  // Honolulu check-in is 2027-03-11T01:00Z; Kiritimati's is 24 h earlier, 2027-03-10T01:00Z.
  it.each([
    // policy, zone, cancelled at, booked at, expected, why
    ["FLEXIBLE", HONOLULU, "2027-03-10T00:59:00Z", BOOKED, FULL, "a minute before 24 h before check-in"],
    ["FLEXIBLE", HONOLULU, "2027-03-10T01:00:00Z", BOOKED, ALL_BUT_FIRST, "at 24 h before: too late"],
    ["FLEXIBLE", HONOLULU, "2027-03-10T01:01:00Z", BOOKED, ALL_BUT_FIRST, "a minute after 24 h before"],
    ["FLEXIBLE", KIRITIMATI, "2027-03-09T00:59:00Z", BOOKED, FULL, "a minute before 24 h before"],
    ["FLEXIBLE", KIRITIMATI, "2027-03-09T01:01:00Z", BOOKED, ALL_BUT_FIRST, "a minute after 24 h before"],
    ["FLEXIBLE", HONOLULU, "2027-03-11T00:59:00Z", BOOKED, ALL_BUT_FIRST, "a minute before check-in"],
    [
      "FLEXIBLE",
      HONOLULU,
      "2027-03-11T01:01:00Z",
      BOOKED,
      FLEXIBLE_AFTER_CHECK_IN,
      "a minute after check-in",
    ],

    ["MODERATE", HONOLULU, "2027-03-06T00:59:00Z", BOOKED, FULL, "a minute before 5 days before check-in"],
    ["MODERATE", HONOLULU, "2027-03-06T01:01:00Z", BOOKED, HALF, "a minute after 5 days before"],
    ["MODERATE", KIRITIMATI, "2027-03-05T00:59:00Z", BOOKED, FULL, "a minute before 5 days before"],
    ["MODERATE", KIRITIMATI, "2027-03-05T01:01:00Z", BOOKED, HALF, "a minute after 5 days before"],
    ["MODERATE", HONOLULU, "2027-03-11T00:59:00Z", BOOKED, HALF, "a minute before check-in"],
    [
      "MODERATE",
      HONOLULU,
      "2027-03-11T01:01:00Z",
      BOOKED,
      MODERATE_AFTER_CHECK_IN,
      "a minute after check-in",
    ],

    // Booked 2027-02-01T00:00Z, five weeks ahead: all nights for 48 h.
    ["STRICT", HONOLULU, "2027-02-02T23:59:00Z", BOOKED, FULL, "a minute before 48 h after booking"],
    ["STRICT", HONOLULU, "2027-02-03T00:00:00Z", BOOKED, HALF, "at 48 h after booking"],
    ["STRICT", HONOLULU, "2027-02-03T00:01:00Z", BOOKED, HALF, "a minute after 48 h after booking"],
    ["STRICT", KIRITIMATI, "2027-02-02T23:59:00Z", BOOKED, FULL, "a minute before 48 h after booking"],
    ["STRICT", KIRITIMATI, "2027-02-03T00:01:00Z", BOOKED, HALF, "a minute after 48 h after booking"],
    ["STRICT", HONOLULU, "2027-03-04T00:59:00Z", BOOKED, HALF, "a minute before 7 days before check-in"],
    ["STRICT", HONOLULU, "2027-03-04T01:01:00Z", BOOKED, CLEANING_ONLY, "a minute after 7 days before"],
    ["STRICT", KIRITIMATI, "2027-03-03T00:59:00Z", BOOKED, HALF, "a minute before 7 days before"],
    ["STRICT", KIRITIMATI, "2027-03-03T01:01:00Z", BOOKED, CLEANING_ONLY, "a minute after 7 days before"],
    ["STRICT", HONOLULU, "2027-03-11T00:59:00Z", BOOKED, CLEANING_ONLY, "a minute before check-in"],
    ["STRICT", HONOLULU, "2027-03-11T01:01:00Z", BOOKED, NOTHING, "a minute after check-in"],
    // 14 days before check-in is 2027-02-24 15:00 HST = 2027-02-25T01:00Z.
    [
      "STRICT",
      HONOLULU,
      "2027-02-25T01:59:00Z",
      "2027-02-25T00:59:00Z",
      FULL,
      "booked 14 days + 1 min ahead",
    ],
    [
      "STRICT",
      HONOLULU,
      "2027-02-25T02:00:00Z",
      "2027-02-25T01:00:00Z",
      FULL,
      "booked exactly 14 days ahead",
    ],
    ["STRICT", HONOLULU, "2027-02-25T02:01:00Z", "2027-02-25T01:01:00Z", HALF, "booked 1 min under 14 days"],
    ["STRICT", HONOLULU, "2027-03-01T01:00:00Z", "2027-03-01T00:00:00Z", HALF, "late booking, 1 h after"],
    [
      "STRICT",
      HONOLULU,
      "2027-03-08T01:00:00Z",
      "2027-03-08T00:00:00Z",
      CLEANING_ONLY,
      "booked within 7 days",
    ],
  ] as const)("%s in %s at %s (booked %s) → %j: %s", (policy, timeZone, when, bookedAt, expected, _why) => {
    expect(amounts(refundFor(snapshot({ policy, timeZone }), guest(when, bookedAt)))).toEqual(expected);
  });

  it.each([
    // policy, the one UTC instant, Kiritimati (deadline passed), Honolulu (deadline ahead)
    ["FLEXIBLE", "2027-03-09T12:00:00Z", ALL_BUT_FIRST, FULL],
    ["MODERATE", "2027-03-05T12:00:00Z", HALF, FULL],
    ["STRICT", "2027-03-03T12:00:00Z", CLEANING_ONLY, HALF],
  ] as const)(
    "%s at %s: past the deadline at UTC+14, before it at UTC−10",
    (policy, when, kiritimati, honolulu) => {
      expect(amounts(refundFor(snapshot({ policy, timeZone: KIRITIMATI }), guest(when)))).toEqual(kiritimati);
      expect(amounts(refundFor(snapshot({ policy, timeZone: HONOLULU }), guest(when)))).toEqual(honolulu);
    },
  );

  it.each([
    // Lisbon moves to summer time on 2027-03-28. "24 h" is elapsed time: for check-in on 2027-03-28
    // at 15:00 WEST (14:00Z) the deadline is 2027-03-27T14:00Z, 14:00 on the local clock.
    ["FLEXIBLE", "2027-03-28", "2027-03-27T13:59:00Z", FULL],
    ["FLEXIBLE", "2027-03-28", "2027-03-27T14:01:00Z", ALL_BUT_FIRST],
    // "5 days before" is the local check-in time 5 days earlier: for check-in on 2027-03-30 at 15:00
    // WEST (14:00Z), 2027-03-25 15:00 WET = 15:00Z, not 120 elapsed hours (14:00Z).
    ["MODERATE", "2027-03-30", "2027-03-25T14:01:00Z", FULL],
    ["MODERATE", "2027-03-30", "2027-03-25T14:59:00Z", FULL],
    ["MODERATE", "2027-03-30", "2027-03-25T15:01:00Z", HALF],
  ] as const)("Lisbon across DST: %s, check-in %s, cancelled at %s", (policy, checkIn, when, expected) => {
    const stay = snapshot({ policy, timeZone: LISBON, checkIn });
    expect(amounts(refundFor(stay, guest(when)))).toEqual(expected);
  });

  it("a one-night FLEXIBLE stay refunds no night after the deadline, only cleaning", () => {
    // 100.00 + 50.00 cleaning + 14.00 service fee; taxes 16.40; 1,640 × 5,000 / 16,400 = 500.
    const stay = snapshot({ policy: "FLEXIBLE", timeZone: HONOLULU, nightPrices: [10_000] });
    expect(amounts(refundFor(stay, guest("2027-03-10T12:00:00Z")))).toEqual([0, 5_000, 0, 500, 5_500]);
    expect(amounts(refundFor(stay, guest("2027-03-09T12:00:00Z")))).toEqual([
      10_000, 5_000, 1_400, 1_640, 18_040,
    ]);
  });
});

describe("refundFor: cancelling during a 5-night stay in Honolulu, 2027-03-10 to 2027-03-15", () => {
  // 500.00 of nights, 50.00 cleaning, 70.00 service fee; taxes 62.00 (10% of 620.00); total 682.00.
  // The third day is 2027-03-12; its night begins at 15:00 HST = 2027-03-13T01:00Z.
  const nightPrices = [10_000, 10_000, 10_000, 10_000, 10_000];
  it.each([
    // policy, cancelled at, expected, why
    ["FLEXIBLE", "2027-03-11T00:59:00Z", [40_000, 5_000, 0, 4_500, 49_500], "a minute before check-in"],
    ["FLEXIBLE", "2027-03-11T01:00:00Z", [40_000, 0, 0, 4_000, 44_000], "at check-in: night 1 has begun"],
    ["FLEXIBLE", "2027-03-12T20:00:00Z", [30_000, 0, 0, 3_000, 33_000], "10:00 on day 3: nights 3-5 left"],
    ["FLEXIBLE", "2027-03-13T00:59:00Z", [30_000, 0, 0, 3_000, 33_000], "14:59 on day 3"],
    ["FLEXIBLE", "2027-03-13T01:00:00Z", [20_000, 0, 0, 2_000, 22_000], "15:00 on day 3: night 3 begun"],
    ["FLEXIBLE", "2027-03-15T01:00:00Z", [0, 0, 0, 0, 0], "the last night has begun"],
    ["MODERATE", "2027-03-11T00:59:00Z", [25_000, 5_000, 0, 3_000, 33_000], "a minute before check-in"],
    ["MODERATE", "2027-03-11T01:00:00Z", [20_000, 0, 0, 2_000, 22_000], "at check-in: half of 4 nights"],
    ["MODERATE", "2027-03-12T20:00:00Z", [15_000, 0, 0, 1_500, 16_500], "10:00 on day 3: half of 3 nights"],
    ["MODERATE", "2027-03-13T01:01:00Z", [10_000, 0, 0, 1_000, 11_000], "15:01 on day 3: half of 2 nights"],
    ["MODERATE", "2027-03-15T22:00:00Z", [0, 0, 0, 0, 0], "after check-out"],
    ["STRICT", "2027-03-12T20:00:00Z", [0, 0, 0, 0, 0], "10:00 on day 3"],
  ] as const)("%s at %s → %j: %s", (policy, when, expected, _why) => {
    const stay = snapshot({ policy, timeZone: HONOLULU, nightPrices });
    expect(amounts(refundFor(stay, guest(when)))).toEqual(expected);
  });
});

describe("refundFor: a discounted weekly stay at Kiritimati, 2027-03-10 to 2027-03-17", () => {
  // Nights 5 × 99.99 + 2 × 123.45 = 746.85; 10% weekly discount 74.69 (74.685 rounded up), so the
  // nights are worth 672.16; cleaning 50.00; service fee 104.56 (14% of 746.85); taxes 82.67
  // (10% of 826.72); total 909.39. Check-in 2027-03-10T01:00Z.
  const nightPrices = [9_999, 9_999, 9_999, 9_999, 9_999, 12_345, 12_345];
  const stay = (policy: CancellationPolicy) => snapshot({ policy, timeZone: KIRITIMATI, nightPrices });

  it("the factory's quote is the one computed by hand", () => {
    expect(stay("FLEXIBLE").quote).toMatchObject({
      subtotal: 74_685,
      discount: 7_469,
      cleaningFee: 5_000,
      serviceFee: 10_456,
      taxes: 8_267,
      total: 90_939,
    });
  });

  it.each([
    // policy, cancelled at, expected, host keeps, why
    ["FLEXIBLE", "2027-03-08T12:00:00Z", [67_216, 5_000, 10_456, 8_267, 90_939], 0, "in time: everything"],
    // 646.86 × 672.16 / 746.85 = 582.168 → 582.17; taxes 82.67 × 632.17 / 826.72 = 63.216 → 63.22
    ["FLEXIBLE", "2027-03-09T12:00:00Z", [58_217, 5_000, 0, 6_322, 69_539], 8_999, "late: all but the first"],
    // 10:00 on day 3 (2027-03-12 10:00 +14): 492.18 of nights left × 0.9 = 492.18; taxes 49.22
    ["FLEXIBLE", "2027-03-11T20:00:00Z", [49_218, 0, 0, 4_922, 54_140], 22_998, "10:00 on day 3"],
    ["MODERATE", "2027-03-05T12:00:00Z", [33_608, 5_000, 0, 3_861, 42_469], 33_608, "late: half"],
    // half of 546.87 × 672.16 / 746.85 = 246.086 → 246.09; taxes 82.67 × 246.09 / 826.72 = 24.608 → 24.61
    ["MODERATE", "2027-03-11T20:00:00Z", [24_609, 0, 0, 2_461, 27_070], 47_607, "10:00 on day 3: half of 5"],
    ["STRICT", "2027-03-04T12:00:00Z", [0, 5_000, 0, 500, 5_500], 67_216, "late: nothing but cleaning"],
  ] as const)("%s at %s → %j", (policy, when, expected, hostKeeps, _why) => {
    const refund = refundFor(stay(policy), guest(when));
    expect(amounts(refund)).toEqual(expected);
    expect(hostShareAfter(stay(policy), refund)).toBe(hostKeeps);
  });

  it("a host cancellation during the stay refunds everything", () => {
    const refund = refundFor(stay("STRICT"), {
      by: "HOST",
      at: at("2027-03-12T20:00:00Z"),
      bookedAt: at(BOOKED),
    });
    expect(amounts(refund)).toEqual([67_216, 5_000, 10_456, 8_267, 90_939]);
    expect(hostShareAfter(stay("STRICT"), refund)).toBe(0);
  });
});

describe("refundFor: host and admin cancellations", () => {
  it.each([
    ["HOST", "STRICT", "2027-03-12T20:00:00Z", "during the stay"],
    ["HOST", "MODERATE", "2027-03-10T12:00:00Z", "the day before check-in"],
    ["ADMIN", "STRICT", "2027-03-20T00:00:00Z", "after check-out"],
    ["ADMIN", "FLEXIBLE", "2027-02-01T01:00:00Z", "right after booking"],
  ] as const)("%s cancelling a %s booking %s refunds everything", (by, policy, when, _why) => {
    const refund = refundFor(snapshot({ policy, timeZone: HONOLULU }), {
      by,
      at: at(when),
      bookedAt: at(BOOKED),
    });
    expect(amounts(refund)).toEqual(FULL);
  });
});

describe("hostShareAfter", () => {
  const stay = snapshot({ policy: "FLEXIBLE", timeZone: HONOLULU });
  it.each([
    [{ nights: 0, cleaningFee: 0 }, 35_000],
    [{ nights: 20_000, cleaningFee: 5_000 }, 10_000],
    [{ nights: 30_000, cleaningFee: 5_000 }, 0],
  ])("after refunding %j the host keeps %i", (refunded, kept) => {
    expect(hostShareAfter(stay, refunded)).toBe(kept);
  });

  it("refuses a refund of more than the booking holds", () => {
    expect(() => hostShareAfter(stay, { nights: 30_001, cleaningFee: 0 })).toThrow(RangeError);
    expect(() => hostShareAfter(stay, { nights: 0, cleaningFee: 5_001 })).toThrow(RangeError);
    expect(() => hostShareAfter(stay, { nights: -1, cleaningFee: 0 })).toThrow(RangeError);
  });
});

describe("refundFor over a snapshot that does not add up", () => {
  const stay = snapshot({ policy: "FLEXIBLE", timeZone: HONOLULU });
  const cancel = guest("2027-03-09T12:00:00Z");
  it.each([
    [
      "night prices that miss the subtotal",
      { ...stay, quote: { ...stay.quote, nightPrices: [10_000, 10_000] } },
    ],
    ["a total that is not the sum", { ...stay, quote: { ...stay.quote, total: stay.quote.total + 1 } }],
    ["a stay longer than its nights", { ...stay, checkOut: "2027-03-14" }],
  ])("refuses %s (a defect, not a refund)", (_name, broken) => {
    expect(() => refundFor(broken, cancel)).toThrow(TypeError);
  });
});

describe("refundFor: properties over a grid of cancellations", () => {
  const stays: Array<Omit<StayOptions, "policy" | "timeZone">> = [
    { nightPrices: [10_000] },
    { nightPrices: [10_000, 10_000, 10_000] },
    { nightPrices: [9_999, 9_999, 9_999, 9_999, 9_999, 12_345, 12_345] },
    { nightPrices: [12_345, 777, 4_001, 99_999], cleaningFee: 0 },
    { nightPrices: Array.from({ length: 28 }, (_, i) => 5_000 + i * 333), cleaningFee: 7_777 },
  ];
  const policies: CancellationPolicy[] = ["FLEXIBLE", "MODERATE", "STRICT"];
  const zones = [KIRITIMATI, HONOLULU, LISBON];
  const booked = at("2027-01-20T00:00:00Z");
  // Every 7 hours from booking until after the longest stay's check-out.
  const instants = Array.from({ length: 300 }, (_, i) => new Date(booked.getTime() + i * 7 * 3_600_000));

  it("each amount is a non-negative integer, total is their sum, never above the quote's total; a guest's refund never grows later", () => {
    let checked = 0;
    for (const options of stays)
      for (const policy of policies)
        for (const timeZone of zones) {
          const stay = snapshot({ ...options, policy, timeZone });
          const net = stay.quote.subtotal - stay.quote.discount;
          let previous = Number.POSITIVE_INFINITY;
          for (const when of instants) {
            for (const by of ["GUEST", "HOST", "ADMIN"] as const) {
              const refund = refundFor(stay, { by, at: when, bookedAt: booked });
              const { nights, cleaningFee, serviceFee, taxes, total } = refund;
              for (const amount of amounts(refund)) {
                expect(Number.isInteger(amount) && amount >= 0).toBe(true);
              }
              expect(total).toBe(nights + cleaningFee + serviceFee + taxes);
              expect(total).toBeLessThanOrEqual(stay.quote.total);
              expect(taxes).toBeLessThanOrEqual(stay.quote.taxes);
              expect(hostShareAfter(stay, refund) + nights + cleaningFee).toBe(net + stay.quote.cleaningFee);
              if (by !== "GUEST" || nights === net) {
                // A full refund of nights (and any host or admin cancellation) is the quote's total.
                expect([nights, cleaningFee, serviceFee, taxes]).toEqual([
                  net,
                  stay.quote.cleaningFee,
                  stay.quote.serviceFee,
                  stay.quote.taxes,
                ]);
                expect(total).toBe(stay.quote.total);
              }
              if (by === "GUEST") {
                expect(total).toBeLessThanOrEqual(previous);
                previous = total;
              }
              checked++;
            }
          }
        }
    expect(checked).toBe(stays.length * policies.length * zones.length * instants.length * 3);
  });
});
