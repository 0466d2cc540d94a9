// The quote query end to end: prices with custom nights, and every refusal with its code and field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type QuoteInput,
  QuoteDocument,
  SetAvailabilityDocument,
} from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { addDays, formatCalendarDate, parseCalendarDate } from "../../../src/core/calendar-date.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf, type GraphQLClient } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { insertBookingRow } from "../../helpers/booking-rows.ts";

// Noon UTC on 2027-03-01: the listing-local date differs from it east of +12 and west of -12.
const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let host: TestUser;
let guest: TestUser;
/** €100 a night, €25 cleaning, 10% weekly, 2–30 nights, 4 guests; 14% service fee and 10% taxes. */
let listing: Listing;

beforeAll(async () => {
  t = await startTestApp({
    clock,
    configure: (config) => {
      config.pricing = { serviceFeeBps: 1_400, taxBps: 1_000, hostFeeBps: 300 };
    },
  });
  host = await factories(t).user().host().create();
  guest = await factories(t).user().create();
  listing = await factories(t)
    .listing(host)
    .listed()
    .with({ weeklyDiscountPct: 10, minNights: 2, maxNights: 30, maxGuests: 4 })
    .create();
});
afterAll(() => t.close());

const listingId = (row: { id: string }) => encodeGlobalId("Listing", row.id);
const quote = (client: GraphQLClient, input: Partial<QuoteInput> & { listingId?: string }) =>
  client.request(QuoteDocument, {
    input: {
      listingId: listingId(listing),
      checkIn: "2027-03-10",
      checkOut: "2027-03-13",
      guests: 2,
      ...input,
    },
  });

describe("quote", () => {
  it("prices a stay for anyone, with lines that sum to the total", async () => {
    const result = await quote(t.client, {});
    expect(result.errors).toBeUndefined();
    expect(result.data?.quote).toEqual({
      nights: 3,
      checkIn: "2027-03-10",
      checkOut: "2027-03-13",
      currency: "EUR",
      lines: [
        {
          kind: "NIGHTS",
          label: "3 nights",
          amount: { amount: 30_000, currency: "EUR", formatted: "€300.00" },
        },
        {
          kind: "CLEANING_FEE",
          label: "Cleaning fee",
          amount: { amount: 2_500, currency: "EUR", formatted: "€25.00" },
        },
        {
          kind: "SERVICE_FEE",
          label: "Service fee",
          amount: { amount: 4_200, currency: "EUR", formatted: "€42.00" },
        },
        { kind: "TAXES", label: "Taxes", amount: { amount: 3_670, currency: "EUR", formatted: "€36.70" } },
      ],
      subtotal: { amount: 30_000, currency: "EUR", formatted: "€300.00" },
      discount: { amount: 0, currency: "EUR" },
      discountPercent: 0,
      cleaningFee: { amount: 2_500, currency: "EUR" },
      serviceFee: { amount: 4_200, currency: "EUR" },
      taxes: { amount: 3_670, currency: "EUR" },
      total: { amount: 40_370, currency: "EUR", formatted: "€403.70" },
    });
  });

  it("uses the host's custom prices and applies the weekly discount to them", async () => {
    const priced = await factories(t).listing(host).listed().with({ weeklyDiscountPct: 10 }).create();
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: listingId(priced),
        ranges: [{ start: "2027-03-11", end: "2027-03-13", available: true, nightlyPrice: 15_000 }],
      },
    });
    const result = await quote(t.client, {
      listingId: listingId(priced),
      checkIn: "2027-03-10",
      checkOut: "2027-03-17",
    });
    const stay = result.data?.quote;
    // 10,000 + 2 × 15,000 + 4 × 10,000 = 80,000; 10% off; 14% service on 80,000; 10% tax.
    expect(stay?.subtotal.amount).toBe(80_000);
    expect(stay?.discount.amount).toBe(8_000);
    expect(stay?.lines.find((line) => line.kind === "DISCOUNT")).toMatchObject({
      label: "Weekly stay discount (10%)",
      amount: { amount: -8_000 },
    });
    expect(stay?.serviceFee.amount).toBe(11_200);
    expect(stay?.taxes.amount).toBe(8_570);
    expect(stay?.total.amount).toBe(94_270);
    expect(stay?.lines.reduce((sum, line) => sum + line.amount.amount, 0)).toBe(94_270);
  });

  it.each([
    ["checkOut equal to checkIn", { checkOut: "2027-03-10" }, "checkOut", "must be after checkIn"],
    ["checkOut before checkIn", { checkOut: "2027-03-08" }, "checkOut", "must be after checkIn"],
    [
      "checkIn in the past",
      { checkIn: "2027-02-28", checkOut: "2027-03-03" },
      "checkIn",
      "must not be in the past",
    ],
    ["no guests", { guests: 0 }, "guests", "must be at least 1"],
    ["more guests than the listing takes", { guests: 5 }, "guests", "must be at most 4 for this listing"],
    [
      "fewer nights than minNights",
      { checkOut: "2027-03-11" },
      "checkOut",
      "the stay must be at least 2 nights",
    ],
    [
      "more nights than maxNights",
      { checkOut: "2027-04-10" },
      "checkOut",
      "the stay must be at most 30 nights",
    ],
  ])("refuses %s with BAD_USER_INPUT on that field", async (_case, input, path, message) => {
    const result = await quote(t.client, input);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path, message }]);
  });

  it("accepts the exact boundaries: today, maxGuests, minNights and maxNights", async () => {
    for (const input of [
      { checkIn: "2027-03-01", checkOut: "2027-03-03" },
      { guests: 4 },
      { checkOut: "2027-03-12" },
      { checkOut: "2027-04-09" },
    ]) {
      const result = await quote(t.client, input);
      expect(result.errors, JSON.stringify(input)).toBeUndefined();
    }
  });

  it("reports every broken rule at once", async () => {
    const result = await quote(t.client, { checkIn: "2027-02-27", checkOut: "2027-02-28", guests: 9 });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([
      { path: "checkIn", message: "must not be in the past" },
      { path: "checkOut", message: "the stay must be at least 2 nights" },
      { path: "guests", message: "must be at most 4 for this listing" },
    ]);
  });

  it("judges the past by the listing's own date", async () => {
    // At 12:00 UTC it is already 2027-03-02 on Kiritimati (UTC+14).
    const east = await factories(t).listing(host).listed().with({ timeZone: "Pacific/Kiritimati" }).create();
    const refused = await quote(t.client, {
      listingId: listingId(east),
      checkIn: "2027-03-01",
      checkOut: "2027-03-04",
    });
    expect(fieldsOf(refused)).toEqual([{ path: "checkIn", message: "must not be in the past" }]);

    // At 05:00 UTC it is still 2027-02-28 in Los Angeles, but not in UTC.
    const west = await factories(t).listing(host).listed().with({ timeZone: "America/Los_Angeles" }).create();
    clock.set(new Date("2027-03-01T05:00:00Z"));
    try {
      const stay = { checkIn: "2027-02-28", checkOut: "2027-03-03" };
      expect((await quote(t.client, { listingId: listingId(west), ...stay })).errors).toBeUndefined();
      expect(codeOf(await quote(t.client, stay))).toBe("BAD_USER_INPUT");
    } finally {
      clock.set(new Date("2027-03-01T12:00:00Z"));
    }
  });

  it("answers DATES_UNAVAILABLE when a host block holds any night", async () => {
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: listingId(listing),
        ranges: [{ start: "2027-05-10", end: "2027-05-12", available: false }],
      },
    });
    const overlapping = await quote(t.client, { checkIn: "2027-05-11", checkOut: "2027-05-14" });
    expect(codeOf(overlapping)).toBe("DATES_UNAVAILABLE");
    // Check-out on the first blocked night and check-in on the morning it ends are fine.
    expect((await quote(t.client, { checkIn: "2027-05-07", checkOut: "2027-05-10" })).errors).toBeUndefined();
    expect((await quote(t.client, { checkIn: "2027-05-12", checkOut: "2027-05-14" })).errors).toBeUndefined();
    // Bad input is reported first, whatever the calendar says.
    const badAndTaken = await quote(t.client, { checkIn: "2027-05-11", checkOut: "2027-05-14", guests: 5 });
    expect(codeOf(badAndTaken)).toBe("BAD_USER_INPUT");
  });

  it("answers DATES_UNAVAILABLE for nights of a live booking, and not once it is cancelled", async () => {
    const booking = await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-06-10",
      checkOut: "2027-06-13",
      status: "PENDING",
    });
    const stay = { checkIn: "2027-06-12", checkOut: "2027-06-15" };
    expect(codeOf(await quote(t.client, stay))).toBe("DATES_UNAVAILABLE");
    await t.app.db.booking.update({ where: { id: booking.id }, data: { status: "CONFIRMED" } });
    expect(codeOf(await quote(t.client, stay))).toBe("DATES_UNAVAILABLE");
    await t.app.db.booking.update({ where: { id: booking.id }, data: { status: "CANCELLED" } });
    expect((await quote(t.client, stay)).errors).toBeUndefined();
  });

  it("answers NOT_FOUND for a listing the caller cannot see, but quotes a draft for its host", async () => {
    const draft = await factories(t).listing(host).create();
    expect(codeOf(await quote(t.client, { listingId: listingId(draft) }))).toBe("NOT_FOUND");
    expect(codeOf(await quote(guest.client, { listingId: listingId(draft) }))).toBe("NOT_FOUND");
    expect((await quote(host.client, { listingId: listingId(draft) })).errors).toBeUndefined();
    const admin = await factories(t).user().admin().create();
    expect((await quote(admin.client, { listingId: listingId(draft) })).errors).toBeUndefined();
  });

  it.each([
    ["malformed", "not-an-id"],
    ["of another type", encodeGlobalId("User", "00000000-0000-4000-8000-000000000000")],
    ["naming no listing", encodeGlobalId("Listing", "00000000-0000-4000-8000-000000000000")],
  ])("answers NOT_FOUND for a listing id %s", async (_case, id) => {
    expect(codeOf(await quote(t.client, { listingId: id }))).toBe("NOT_FOUND");
  });

  it("refuses an impossible date with BAD_USER_INPUT", async () => {
    expect(codeOf(await quote(t.client, { checkIn: "2027-02-30" }))).toBe("BAD_USER_INPUT");
  });
});

describe("totals Money.amount cannot carry", () => {
  const nightsFrom = (checkIn: string, nights: number) => {
    const from = parseCalendarDate(checkIn);
    if (!from) throw new Error(checkIn);
    return { checkIn, checkOut: formatCalendarDate(addDays(from, nights)) };
  };

  it("refuses a stay whose total passes 2,147,483,647 minor units with BAD_USER_INPUT, not a 500", async () => {
    // 10,000,000 a night and 10,000,000 cleaning: once the maximum in every currency, still within VND's.
    const dear = await factories(t)
      .listing(host)
      .listed()
      .with({ currency: "VND", nightlyPrice: 10_000_000, cleaningFee: 10_000_000 })
      .create();
    const refused = await quote(t.client, { listingId: listingId(dear), ...nightsFrom("2027-03-10", 214) });
    expect(refused.status).not.toBe(500);
    expect(codeOf(refused)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(refused)).toEqual([
      { path: "checkOut", message: expect.stringMatching(/^the stay's total would exceed 2,147,483,647/) },
    ]);

    // 180 nights: (1,800,000,000 + 10,000,000 cleaning + 252,000,000 service) × 1.1 = 2,268,200,000.
    expect(
      codeOf(await quote(t.client, { listingId: listingId(dear), ...nightsFrom("2027-03-10", 180) })),
    ).toBe("BAD_USER_INPUT");
    // 170 nights: (1,700,000,000 + 10,000,000 + 238,000,000) × 1.1 = 2,142,800,000 fits.
    const fits = await quote(t.client, { listingId: listingId(dear), ...nightsFrom("2027-03-10", 170) });
    expect(fits.errors).toBeUndefined();
    expect(fits.data?.quote.total).toMatchObject({ amount: 2_142_800_000, currency: "VND" });
  });

  it("prices a year at the maximum nightly price and cleaning fee of EUR", async () => {
    const top = await factories(t)
      .listing(host)
      .listed()
      .with({ currency: "EUR", nightlyPrice: 2_000_000, cleaningFee: 2_000_000 })
      .create();
    const year = await quote(t.client, { listingId: listingId(top), ...nightsFrom("2027-03-10", 365) });
    expect(year.errors).toBeUndefined();
    // 730,000,000 + 2,000,000 + 102,200,000 service = 834,200,000; + 83,420,000 taxes.
    expect(year.data?.quote.total.amount).toBe(917_620_000);
  });
});
