// Demo bookings: the guest's trips and the host's reservations in every state, with the money
// behind them. Stays ahead are made by the real use cases (request, accept, decline, cancel,
// expire), so they carry what those write: payments, refunds, payouts, ledger journals and jobs.
// Past stays cannot be requested (check-in is in the past), so they are written as history:
// the booking row, then the real authorize, capture and payout, each at the instant it happened.
import { randomUUID } from "node:crypto";
import type { App } from "../src/app.ts";
import type { UserActor } from "../src/core/actor.ts";
import { addDays, type CalendarDate, formatCalendarDate, localDate } from "../src/core/calendar-date.ts";
import type { Booking, Listing, Prisma, User } from "../src/generated/prisma/client.ts";
import { unitOfWork } from "../src/infra/unit-of-work.ts";
import {
  acceptBooking,
  cancelBooking,
  declineBooking,
  expireBooking,
} from "../src/modules/bookings/lifecycle.ts";
import { checkInInstant, checkOutInstant } from "../src/modules/bookings/refund-policy.ts";
import { requestBooking } from "../src/modules/bookings/request.ts";
import { takeSnapshot } from "../src/modules/bookings/snapshot.ts";
import { customPricesFor } from "../src/modules/listings/calendar.ts";
import { attachPayment, authorizePayment } from "../src/modules/payments/authorization.ts";
import { capturePayment, payOut, payoutFor } from "../src/modules/payments/service.ts";
import { quoteListingStay } from "../src/modules/pricing/service.ts";

const DAY_MS = 86_400_000;
const DEMO_CARD = "pm_card_visa";

/** The same app seen at another instant: history is written with the clock of its day. */
const appAt = (app: App, instant: Date): App => ({ ...app, clock: { now: () => new Date(instant) } });

const userActor = (user: Pick<User, "id" | "role">): UserActor => ({
  kind: "user",
  userId: user.id,
  role: user.role,
});

/** The UTC calendar date `offsetDays` from the app's today. */
export const demoDay = (app: App, offsetDays: number): CalendarDate =>
  addDays(localDate(app.clock.now(), "UTC"), offsetDays);

/**
 * A stay that is over: booked 30 days before check-in, captured then, completed at check-out,
 * paid out when the payout was due. Amounts come from the snapshot, as the use cases compute them.
 */
export async function seedPastStay(
  app: App,
  listing: Listing,
  guestId: string,
  stay: { checkIn: CalendarDate; nights: number; guests: number },
): Promise<Booking> {
  const checkOut = addDays(stay.checkIn, stay.nights);
  const customPrices = await customPricesFor(app.db, listing.id, stay.checkIn, checkOut);
  const quote = quoteListingStay(listing, stay.checkIn, checkOut, customPrices, app.config.pricing);
  const snapshot = takeSnapshot(
    listing,
    quote,
    { checkIn: formatCalendarDate(stay.checkIn), checkOut: formatCalendarDate(checkOut) },
    { ...app.config.pricing },
  );
  const checkInAt = checkInInstant(snapshot);
  const bookedAt = new Date(checkInAt.getTime() - 30 * DAY_MS);
  const bookingId = randomUUID();
  const held = await authorizePayment(app, {
    bookingId,
    guestId,
    listingId: listing.id,
    paymentMethod: DEMO_CARD,
    amount: quote.total,
    currency: quote.currency,
    description: `Roost: ${listing.title}, ${snapshot.checkIn} to ${snapshot.checkOut}`,
  });
  const { booking, payoutId } = await unitOfWork(app, async (tx) => {
    const created = await tx.booking.create({
      data: {
        id: bookingId,
        listingId: listing.id,
        guestId,
        hostId: listing.hostId,
        status: "COMPLETED",
        checkIn: stay.checkIn,
        checkOut,
        nights: quote.nights,
        guests: stay.guests,
        currency: quote.currency,
        total: BigInt(quote.total),
        quote: snapshot as unknown as Prisma.InputJsonObject,
        cancellationPolicy: listing.cancellationPolicy,
        createdAt: bookedAt,
        confirmedAt: bookedAt,
        completedAt: checkOutInstant(snapshot),
      },
    });
    await attachPayment(tx, held);
    await capturePayment(tx, appAt(app, bookedAt), bookingId, snapshot);
    // The row schedulePayout writes, without its job: this payout is paid below, not later.
    const { amount, fee } = payoutFor(snapshot, { nights: 0, cleaningFee: 0 });
    const payout = await tx.payout.create({
      data: {
        bookingId,
        hostId: listing.hostId,
        currency: quote.currency,
        amount,
        fee,
        scheduledFor: new Date(checkInAt.getTime() + app.config.bookings.payoutDelayMs),
      },
    });
    return { booking: created, payoutId: payout.id };
  });
  const payout = await app.db.payout.findUniqueOrThrow({ where: { id: payoutId } });
  if (!(await payOut(appAt(app, payout.scheduledFor), payoutId))) {
    throw new Error(`demo payout ${payoutId} was not paid`);
  }
  return booking;
}

/**
 * Trips ahead, one story per state, all through the use cases: an instant booking (CONFIRMED),
 * a request the host accepted (CONFIRMED), one waiting for the host (PENDING), one declined,
 * one left unanswered for a day (EXPIRED), and two cancelled by the guest: early (refunded in
 * full) and 3 days before check-in (MODERATE: half the nights back, the service fee kept).
 */
export async function seedTripsAhead(
  app: App,
  listingsBySlug: ReadonlyMap<string, Listing>,
  guest: Pick<User, "id" | "role">,
  host: Pick<User, "id" | "role">,
): Promise<void> {
  const guestActor = userActor(guest);
  const hostActor = userActor(host);
  const listing = (slug: string): Listing => {
    const found = listingsBySlug.get(slug);
    if (!found) throw new Error(`no demo listing ${slug}`);
    return found;
  };
  const request = (
    slug: string,
    stay: { inDays: number; nights: number; message?: string },
    asOf: App = app,
  ): Promise<Booking> =>
    requestBooking(
      guestActor,
      {
        listingId: listing(slug).id,
        checkIn: demoDay(app, stay.inDays),
        checkOut: demoDay(app, stay.inDays + stay.nights),
        guests: Math.min(2, listing(slug).maxGuests),
        paymentMethod: DEMO_CARD,
        message: stay.message ?? null,
        idempotencyKey: randomUUID(),
      },
      asOf,
    );
  const expectStatus = (booking: Booking, status: Booking["status"]): Booking => {
    if (booking.status !== status) {
      throw new Error(`demo booking ${booking.id} is ${booking.status}, expected ${status}`);
    }
    return booking;
  };

  expectStatus(await request("lisbon-alfama", { inDays: 10, nights: 3 }), "CONFIRMED");

  const accepted = await request("london-hackney", {
    inDays: 21,
    nights: 4,
    message: "Visiting friends in Hackney; we are two quiet adults.",
  });
  expectStatus(await acceptBooking(hostActor, { bookingId: accepted.id }, app), "CONFIRMED");

  expectStatus(
    await request("paris-marais", {
      inDays: 14,
      nights: 3,
      message: "Our first time in Paris. Is early check-in possible?",
    }),
    "PENDING",
  );

  const declined = await request("reykjavik-cabin", { inDays: 50, nights: 3 });
  expectStatus(
    await declineBooking(
      hostActor,
      { bookingId: declined.id, reason: "The cabin is closed for maintenance that week." },
      app,
    ),
    "DECLINED",
  );

  // Asked a day and an hour ago and never answered: the expiry job's work, done now.
  const askedAt = new Date(app.clock.now().getTime() - app.config.bookings.requestTtlMs - 3_600_000);
  const unanswered = await request("capetown-villa", { inDays: 60, nights: 4 }, appAt(app, askedAt));
  // A worker process may run its (already due) expiry job first: either way it ends EXPIRED.
  await expireBooking(app, unanswered.id);
  const expired = await app.db.booking.findUniqueOrThrow({ where: { id: unanswered.id } });
  if (expired.status !== "EXPIRED") throw new Error("the demo request did not expire");

  for (const [slug, inDays, reason] of [
    ["barcelona-gracia", 25, "Our plans changed."],
    ["sydney-bondi", 3, "A family emergency; sorry for the late notice."],
  ] as const) {
    const booked = expectStatus(await request(slug, { inDays, nights: 4 }), "CONFIRMED");
    expectStatus(
      await cancelBooking(guestActor, { bookingId: booked.id, reason, idempotencyKey: randomUUID() }, app),
      "CANCELLED",
    );
  }
}
