// No double booking, ever: 50 guests ask for overlapping stays of one listing at the same moment,
// over real HTTP. PostgreSQL's exclusion constraint decides; the losers' money is released.
import { afterAll, beforeAll, expect, it } from "vitest";
import { UpdateListingDocument } from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bookingInput, expectBooksBalanced, requestBooking, stayFixture } from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
});

const ATTEMPTS = 50;

it.each([
  ["request to book", false],
  ["instant book", true],
])(
  "one of %s's 50 concurrent overlapping requests wins; the rest get DATES_UNAVAILABLE and keep no hold",
  async (_name, instantBook) => {
    const stay = await stayFixture(t, { instantBook, minNights: 1 });
    const guests: TestUser[] = await Promise.all(
      Array.from({ length: ATTEMPTS }, () => factories(t).user().create()),
    );
    // Each asks for 3 nights around the same middle night, so every pair overlaps.
    const dates = (i: number) => {
      const start = 10 + (i % 3);
      return { checkIn: `2027-05-${start}`, checkOut: `2027-05-${start + 3}` };
    };

    const results = await Promise.all(
      guests.map((guest, i) => requestBooking(guest, bookingInput(stay, dates(i)))),
    );

    const winners = results.filter((result) => !result.errors);
    const codes = results.filter((result) => result.errors).map(codeOf);
    expect(winners).toHaveLength(1);
    expect(codes).toEqual(Array(ATTEMPTS - 1).fill("DATES_UNAVAILABLE"));
    expect(winners[0]?.data?.requestBooking.booking.status).toBe(instantBook ? "CONFIRMED" : "PENDING");

    expect(await t.app.db.booking.count({ where: { listingId: stay.listing.id } })).toBe(1);
    expect(await t.app.db.calendarHold.count({ where: { listingId: stay.listing.id } })).toBe(1);
    // The provider holds money for the winner only: every other authorization was voided.
    const charges = await t.app.db.builtinCharge.findMany({
      where: { metadata: { path: ["listingId"], equals: stay.listing.id } },
    });
    const live = charges.filter((charge) => charge.status !== "VOIDED");
    expect(live).toHaveLength(1);
    expect(live[0]?.status).toBe(instantBook ? "CAPTURED" : "AUTHORIZED");
    const attempts = await t.app.db.paymentAttempt.groupBy({
      by: ["status"],
      where: { listingId: stay.listing.id },
      _count: true,
    });
    const byStatus = Object.fromEntries(attempts.map((row) => [row.status, row._count]));
    // Losers either never reached the provider (refused on the first read) or were voided.
    expect(byStatus.ATTACHED).toBe(1);
    expect(byStatus.OPEN).toBeUndefined();
    expect((byStatus.VOIDED ?? 0) + 1).toBe(charges.length);
  },
);

it("a currency change racing a booking never leaves a live booking in a currency the listing left", async () => {
  for (let round = 0; round < 10; round++) {
    const stay = await stayFixture(t, { currency: "EUR" });
    const [booked, changed] = await Promise.all([
      requestBooking(stay.guest, bookingInput(stay, { checkIn: "2027-06-01", checkOut: "2027-06-03" })),
      stay.host.client.request(UpdateListingDocument, {
        input: { listingId: stay.listingId, currency: "USD" },
      }),
    ]);
    const listing = await t.app.db.listing.findUniqueOrThrow({ where: { id: stay.listing.id } });
    const bookings = await t.app.db.booking.findMany({ where: { listingId: stay.listing.id } });
    // One of the two went first: the booking in EUR (and the change refused), or the change
    // (and the booking priced in USD).
    expect(bookings.every((booking) => booking.currency === listing.currency)).toBe(true);
    expect(booked.errors === undefined || changed.errors === undefined).toBe(true);
    if (changed.errors) expect(codeOf(changed)).toBe("BAD_USER_INPUT");
  }
});
