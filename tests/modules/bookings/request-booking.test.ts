// requestBooking over real HTTP: what a booking stores, the input rules, who may book, and
// nights held and freed. Money is checked on the built-in provider's own books.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelBookingDocument,
  DeclineBookingDocument,
  QuoteDocument,
  RequestBookingDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { expireBooking } from "../../../src/modules/bookings/lifecycle.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { readSnapshot } from "../../../src/modules/bookings/snapshot.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  book,
  bookingInput,
  expectBooksBalanced,
  rawId,
  requestBooking,
  type Stay,
  stayFixture,
} from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";
import { queuedJobs } from "../../helpers/jobs.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
});

describe("a request to book", () => {
  let stay: Stay;
  beforeAll(async () => {
    stay = await stayFixture(t, {
      cleaningFee: 2_500,
      cancellationPolicy: "STRICT",
      timeZone: "Europe/Lisbon",
    });
  });

  it("is PENDING for 24 hours, priced as quoted, with the guest's money held", async () => {
    const dates = { checkIn: "2027-04-01", checkOut: "2027-04-04" };
    const quoted = await stay.guest.client.ok(QuoteDocument, {
      input: { listingId: stay.listingId, guests: 2, ...dates },
    });
    const booking = await book(stay.guest, bookingInput(stay, dates, { message: "We arrive late." }));

    expect(booking).toMatchObject({
      status: "PENDING",
      nights: 3,
      guests: 2,
      cancellationPolicy: "STRICT",
      message: "We arrive late.",
      total: quoted.quote.total,
      payment: { status: "AUTHORIZED", amount: quoted.quote.total, captured: { amount: 0 } },
      guest: { id: stay.guest.globalId },
      listing: { id: stay.listingId },
    });
    expect(booking.quote.lines).toEqual(quoted.quote.lines);
    expect(new Date(booking.expiresAt ?? 0).getTime() - clock.now().getTime()).toBe(24 * 3_600_000);

    const row = await t.app.db.booking.findUniqueOrThrow({ where: { id: rawId(booking.id) } });
    const snapshot = readSnapshot(row.quote);
    expect(snapshot).toMatchObject({
      version: 1,
      checkIn: "2027-04-01",
      checkOut: "2027-04-04",
      cancellationPolicy: "STRICT",
      fees: t.app.config.pricing,
      listing: {
        timeZone: "Europe/Lisbon",
        checkInTime: "15:00",
        checkOutTime: "11:00",
        title: stay.listing.title,
      },
      quote: { nightPrices: [10_000, 10_000, 10_000], total: quoted.quote.total.amount },
    });
    const charges = await t.app.db.builtinCharge.findMany({
      where: { metadata: { path: ["bookingId"], equals: row.id } },
    });
    expect(charges).toMatchObject([{ status: "AUTHORIZED", amount: BigInt(quoted.quote.total.amount) }]);
    // The attempt became the payment: nothing is left for the reconciliation job.
    const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: row.id } });
    const reconciling = await queuedJobs(t.app.db, "payments_reconcile_attempt");
    expect(reconciling.filter((job) => job.key === `reconcile:${payment.id}`)).toEqual([]);
  });

  it("keeps the snapshot when the host later changes the listing", async () => {
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-05-01", checkOut: "2027-05-03" }),
    );
    await t.app.db.listing.update({
      where: { id: stay.listing.id },
      data: { nightlyPrice: 99_000, cancellationPolicy: "FLEXIBLE", checkInTime: "18:00" },
    });
    const row = await t.app.db.booking.findUniqueOrThrow({ where: { id: rawId(booking.id) } });
    expect(readSnapshot(row.quote)).toMatchObject({
      cancellationPolicy: "STRICT",
      listing: { checkInTime: "15:00" },
      quote: { nightPrices: [10_000, 10_000] },
    });
    await t.app.db.listing.update({
      where: { id: stay.listing.id },
      data: { nightlyPrice: 10_000, cancellationPolicy: "STRICT", checkInTime: "15:00" },
    });
  });

  it("is CONFIRMED at once and captured on an instant-book listing", async () => {
    const instant = await stayFixture(t, { instantBook: true });
    const booking = await book(
      instant.guest,
      bookingInput(instant, { checkIn: "2027-04-10", checkOut: "2027-04-12" }),
    );
    expect(booking).toMatchObject({ status: "CONFIRMED", expiresAt: null });
    expect(booking.payment).toMatchObject({ status: "CAPTURED", captured: booking.total });
    const payout = await t.app.db.payout.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
    // 2 nights at 100.00 + 25.00 cleaning: the host's share, less 3%.
    expect(payout).toMatchObject({ status: "SCHEDULED", amount: 21_825n, fee: 675n });
    // Paid 24 h after the local check-in (15:00 UTC).
    expect(payout.scheduledFor.toISOString()).toBe("2027-04-11T15:00:00.000Z");
  });
});

describe("the input rules", () => {
  let stay: Stay;
  beforeAll(async () => {
    stay = await stayFixture(t, { maxGuests: 3, minNights: 2, maxNights: 10 });
  });

  const refusedFields = async (dates: { checkIn: string; checkOut: string }, extra = {}) => {
    const result = await requestBooking(stay.guest, bookingInput(stay, dates, extra));
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    return fieldsOf(result)
      .map((field) => field.path)
      .sort();
  };

  it("names each broken rule", async () => {
    expect(await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-03" }, { guests: 4 })).toEqual([
      "guests",
    ]);
    expect(await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-03" }, { guests: 0 })).toEqual([
      "guests",
    ]);
    expect(await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-02" })).toEqual(["checkOut"]);
    expect(await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-12" })).toEqual(["checkOut"]);
    expect(await refusedFields({ checkIn: "2027-02-27", checkOut: "2027-03-02" })).toEqual(["checkIn"]);
    expect(
      await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-03" }, { message: "x".repeat(1_001) }),
    ).toEqual(["message"]);
    expect(
      // The schema says String!, but a client without our types may still send null.
      await refusedFields(
        { checkIn: "2027-04-01", checkOut: "2027-04-03" },
        {
          idempotencyKey: null as unknown as string,
        },
      ),
    ).toEqual(["idempotencyKey"]);
    expect(
      await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-03" }, { idempotencyKey: "" }),
    ).toEqual(["idempotencyKey"]);
    for (const paymentMethod of ["", "pm_" + "x".repeat(300), "pm_card\nvisa"]) {
      expect(
        await refusedFields({ checkIn: "2027-04-01", checkOut: "2027-04-03" }, { paymentMethod }),
      ).toEqual(["paymentMethod"]);
    }
  });

  it("takes check-in up to the horizon (365 days past the listing's today), not a day more", async () => {
    // Today is 2027-03-01 at the listing (UTC): the horizon is 2028-02-29.
    expect(await refusedFields({ checkIn: "2028-03-01", checkOut: "2028-03-03" })).toEqual(["checkIn"]);
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2028-02-29", checkOut: "2028-03-02" }),
    );
    expect(booking.status).toBe("PENDING");
  });

  it("takes a message of 1,000 characters", async () => {
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-06-01", checkOut: "2027-06-03" }, { message: "y".repeat(1_000) }),
    );
    expect(booking.message).toHaveLength(1_000);
  });

  it("refuses a listing that is not LISTED, and hides drafts", async () => {
    const make = factories(t);
    const unlisted = await make.listing({ id: stay.host.id }).with({ status: "UNLISTED" }).create();
    const result = await requestBooking(
      stay.guest,
      bookingInput(
        { listingId: encodeListing(unlisted.id) },
        { checkIn: "2027-04-01", checkOut: "2027-04-03" },
      ),
    );
    expect(codeOf(result)).toBe("NOT_FOUND");
    // Its host sees it, and is refused booking their own listing first.
    const own = await requestBooking(
      stay.host,
      bookingInput(
        { listingId: encodeListing(unlisted.id) },
        { checkIn: "2027-04-01", checkOut: "2027-04-03" },
      ),
    );
    expect(codeOf(own)).toBe("FORBIDDEN");
  });

  it("refuses a host booking their own listing", async () => {
    const result = await requestBooking(
      stay.host,
      bookingInput(stay, { checkIn: "2027-04-01", checkOut: "2027-04-03" }),
    );
    expect(codeOf(result)).toBe("FORBIDDEN");
  });

  it("refuses anonymous callers", async () => {
    const result = await t.client.request(RequestBookingDocument, {
      input: bookingInput(stay, { checkIn: "2027-04-01", checkOut: "2027-04-03" }),
    });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });
});

const encodeListing = (id: string) => encodeGlobalId("Listing", id);

describe("nights", () => {
  let stay: Stay;
  beforeAll(async () => {
    stay = await stayFixture(t);
  });

  it("are held against an overlapping request, and back-to-back stays both book", async () => {
    await book(stay.guest, bookingInput(stay, { checkIn: "2027-07-10", checkOut: "2027-07-13" }));
    const overlap = await requestBooking(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-07-12", checkOut: "2027-07-14" }),
    );
    expect(codeOf(overlap)).toBe("DATES_UNAVAILABLE");
    const before = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-07-08", checkOut: "2027-07-10" }),
    );
    const after = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-07-13", checkOut: "2027-07-15" }),
    );
    expect([before.status, after.status]).toEqual(["PENDING", "PENDING"]);
  });

  it("are freed at once by a decline and by a cancellation", async () => {
    const dates = { checkIn: "2027-08-01", checkOut: "2027-08-04" };
    const first = await book(stay.guest, bookingInput(stay, dates));
    await stay.host.client.ok(DeclineBookingDocument, { input: { bookingId: first.id } });
    const second = await book(stay.guest, bookingInput(stay, dates));
    expect(codeOf(await requestBooking(stay.guest, bookingInput(stay, dates)))).toBe("DATES_UNAVAILABLE");
    await stay.guest.client.ok(CancelBookingDocument, {
      input: { bookingId: second.id, idempotencyKey: crypto.randomUUID(), reason: "Plans changed" },
    });
    const third = await book(stay.guest, bookingInput(stay, dates));
    expect(third.status).toBe("PENDING");
  });

  it("are freed by expiry", async () => {
    const dates = { checkIn: "2027-09-01", checkOut: "2027-09-03" };
    const first = await book(stay.guest, bookingInput(stay, dates));
    clock.advance(24 * 3_600_000 + 1);
    try {
      expect(await expireBooking(t.app, rawId(first.id))).toBe(true);
    } finally {
      clock.advance(-(24 * 3_600_000 + 1));
    }
    const second = await book(stay.guest, bookingInput(stay, dates));
    expect(second.status).toBe("PENDING");
  });
});

describe("a refused card", () => {
  it("holds no nights and leaves no authorization (declined card and provider outage)", async () => {
    const stay = await stayFixture(t);
    const dates = { checkIn: "2027-10-01", checkOut: "2027-10-03" };
    const declined = await requestBooking(
      stay.guest,
      bookingInput(stay, dates, { paymentMethod: "pm_card_declined" }),
    );
    expect(codeOf(declined)).toBe("PAYMENT_FAILED");
    const outage = await requestBooking(
      stay.guest,
      bookingInput(stay, dates, { paymentMethod: "pm_card_error" }),
    );
    expect(codeOf(outage)).toBe("SERVICE_UNAVAILABLE");
    expect(outage.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);

    expect(await t.app.db.calendarHold.count({ where: { listingId: stay.listing.id } })).toBe(0);
    expect(await t.app.db.booking.count({ where: { listingId: stay.listing.id } })).toBe(0);
    const attempts = await t.app.db.paymentAttempt.findMany({ where: { listingId: stay.listing.id } });
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual(["FAILED", "FAILED"]);
    const live = await t.app.db.builtinCharge.count({
      where: { metadata: { path: ["listingId"], equals: stay.listing.id }, status: { not: "VOIDED" } },
    });
    expect(live).toBe(0);
    // The nights are still there for a card that works.
    expect((await book(stay.guest, bookingInput(stay, dates))).status).toBe("PENDING");
  });
});
