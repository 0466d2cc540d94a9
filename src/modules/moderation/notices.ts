// What users are told of admin actions: in-app notifications with their e-mail twins, written in
// the action's transaction. Dedupe keys carry the action's audit row id, so a suspension after a
// reinstatement notifies again while a retried write never notifies twice. Admins' reasons stay
// in the audit log; notices say what happened and what it means for the reader.
import type { App } from "../../app.ts";
import { formatCalendarDate } from "../../core/calendar-date.ts";
import type { Effects, Tx } from "../../infra/unit-of-work.ts";
import { listingToday } from "../listings/calendar.ts";
import { notify } from "../notifications/service.ts";
import { formatMoney } from "../pricing/money.ts";

type Deps = Pick<App, "config" | "clock">;
type Outbox = Pick<Effects, "outbox">;

interface ListingShown {
  id: string;
  title: string;
  timeZone: string;
}

/** Bookings still to be stayed (or being stayed) at the listing, which a suspension leaves standing. */
async function upcomingBookings(tx: Tx, app: Deps, listing: ListingShown) {
  return tx.booking.findMany({
    where: {
      listingId: listing.id,
      status: { in: ["PENDING", "CONFIRMED"] },
      checkOut: { gt: listingToday(app.clock, listing) },
    },
    select: { id: true, guestId: true, checkIn: true, checkOut: true },
    orderBy: { checkIn: "asc" },
  });
}

/** The guests of the listing's upcoming bookings: their stay stands, new bookings are paused. */
export async function noticeGuestsOfSuspension(
  tx: Tx,
  effects: Outbox,
  app: Deps,
  listing: ListingShown,
  auditId: string,
): Promise<void> {
  for (const booking of await upcomingBookings(tx, app, listing)) {
    const dates = `${formatCalendarDate(booking.checkIn)} to ${formatCalendarDate(booking.checkOut)}`;
    await notify(tx, effects, {
      userId: booking.guestId,
      type: "listing.suspended",
      title: "A place you booked was suspended",
      body: `${listing.title} was suspended by Roost and is hidden from search. Your booking (${dates}) stands; contact Roost support with any question.`,
      data: { listingId: listing.id, bookingId: booking.id },
      link: `${app.config.appUrl}/bookings/${booking.id}`,
      dedupeKey: `listing.suspended:${auditId}:${booking.id}`,
    });
  }
}

export async function noticeHostOfSuspension(
  tx: Tx,
  effects: Outbox,
  app: Deps,
  listing: ListingShown & { hostId: string },
  auditId: string,
): Promise<void> {
  await notify(tx, effects, {
    userId: listing.hostId,
    type: "listing.suspended",
    title: "Your listing was suspended",
    body: `${listing.title} was suspended by Roost: guests cannot find or book it. Bookings already made stand. Contact Roost support to appeal.`,
    data: { listingId: listing.id },
    link: `${app.config.appUrl}/host/listings/${listing.id}`,
    dedupeKey: `listing.suspended:${auditId}:${listing.hostId}`,
  });
}

export async function noticeHostOfReinstatement(
  tx: Tx,
  effects: Outbox,
  app: Deps,
  listing: ListingShown & { hostId: string; status: string },
  auditId: string,
): Promise<void> {
  await notify(tx, effects, {
    userId: listing.hostId,
    type: "listing.reinstated",
    title: "Your listing was reinstated",
    body:
      listing.status === "LISTED"
        ? `${listing.title} is listed again: guests can find and book it.`
        : `${listing.title} is no longer suspended; it is ${listing.status.toLowerCase()} as before.`,
    data: { listingId: listing.id },
    link: `${app.config.appUrl}/host/listings/${listing.id}`,
    dedupeKey: `listing.reinstated:${auditId}:${listing.hostId}`,
  });
}

export async function noticeAccount(
  tx: Tx,
  effects: Outbox,
  app: Deps,
  userId: string,
  change: "suspended" | "reinstated",
  auditId: string,
): Promise<void> {
  await notify(tx, effects, {
    userId,
    type: `account.${change}`,
    title: change === "suspended" ? "Your account was suspended" : "Your account was reinstated",
    body:
      change === "suspended"
        ? "Your Roost account was suspended: you are signed out everywhere and cannot sign in, and your listings are hidden from guests. Bookings already made stand. Contact Roost support to appeal."
        : "Your Roost account was reinstated: you can sign in again, and your listings are back as they were.",
    data: { userId },
    link: `${app.config.appUrl}/`,
    dedupeKey: `account.${change}:${auditId}`,
  });
}

export async function noticeRefund(
  tx: Tx,
  effects: Outbox,
  app: Deps,
  booking: { id: string; guestId: string; checkIn: Date; checkOut: Date; listingTitle: string },
  refund: { id: string; amount: bigint; currency: string },
): Promise<void> {
  const dates = `${formatCalendarDate(booking.checkIn)} to ${formatCalendarDate(booking.checkOut)}`;
  await notify(tx, effects, {
    userId: booking.guestId,
    type: "booking.refunded",
    title: "Refund issued",
    body: `Roost is refunding ${formatMoney(Number(refund.amount), refund.currency)} of your stay at ${booking.listingTitle} (${dates}) to your card.`,
    data: { bookingId: booking.id },
    link: `${app.config.appUrl}/bookings/${booking.id}`,
    dedupeKey: `booking.refunded:${refund.id}`,
  });
}
