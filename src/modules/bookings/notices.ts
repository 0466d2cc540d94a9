// What guests and hosts are told of a booking's changes: in-app notifications written in the
// transaction of the change (the e-mail goes through the e-mail job it queues), once each by
// their dedupe keys.
import type { App } from "../../app.ts";
import { formatCalendarDate } from "../../core/calendar-date.ts";
import type { Booking } from "../../generated/prisma/client.ts";
import type { Effects, Tx } from "../../infra/unit-of-work.ts";
import { notify } from "../notifications/service.ts";
import { formatMoney } from "../pricing/money.ts";
import { readSnapshot } from "./snapshot.ts";

export type BookingNotice = "requested" | "confirmed" | "declined" | "expired" | "cancelled" | "completed";

interface NoticeText {
  title: string;
  body: string;
}

type Stay = { title: string; dates: string; total: string; guestName: string };

/** Who hears of each change, and what they read. */
const noticeTexts: Record<
  BookingNotice,
  { guest?: (stay: Stay) => NoticeText; host?: (stay: Stay) => NoticeText }
> = {
  requested: {
    guest: (s) => ({
      title: "Booking request sent",
      body: `Your request for ${s.title} (${s.dates}) was sent to the host. ${s.total} is held on your card.`,
    }),
    host: (s) => ({
      title: "New booking request",
      body: `${s.guestName} asks to stay at ${s.title} (${s.dates}). Accept or decline within 24 hours.`,
    }),
  },
  confirmed: {
    guest: (s) => ({
      title: "Booking confirmed",
      body: `Your stay at ${s.title} (${s.dates}) is confirmed. ${s.total} was charged.`,
    }),
    host: (s) => ({
      title: "Reservation confirmed",
      body: `${s.guestName} is staying at ${s.title} (${s.dates}).`,
    }),
  },
  declined: {
    guest: (s) => ({
      title: "Booking request declined",
      body: `The host declined your request for ${s.title} (${s.dates}). The hold on your card was released.`,
    }),
  },
  expired: {
    guest: (s) => ({
      title: "Booking request expired",
      body: `The host did not answer your request for ${s.title} (${s.dates}). The hold on your card was released.`,
    }),
    host: (s) => ({
      title: "Booking request expired",
      body: `The request from ${s.guestName} for ${s.title} (${s.dates}) expired unanswered.`,
    }),
  },
  cancelled: {
    guest: (s) => ({
      title: "Booking cancelled",
      body: `Your stay at ${s.title} (${s.dates}) was cancelled. Any refund follows the cancellation policy.`,
    }),
    host: (s) => ({
      title: "Reservation cancelled",
      body: `The stay of ${s.guestName} at ${s.title} (${s.dates}) was cancelled.`,
    }),
  },
  completed: {},
};

/** Inside the unit of work that changed the booking: tells each party who hears of this change. */
export async function noticeBooking(
  tx: Tx,
  effects: Pick<Effects, "outbox">,
  app: Pick<App, "config">,
  booking: Booking,
  notice: BookingNotice,
): Promise<void> {
  const texts = noticeTexts[notice];
  if (!texts.guest && !texts.host) return;
  const bookingId = booking.id;
  const guest = await tx.user.findUniqueOrThrow({
    where: { id: booking.guestId },
    select: { firstName: true },
  });
  const snapshot = readSnapshot(booking.quote);
  const stay: Stay = {
    title: snapshot.listing.title,
    dates: `${formatCalendarDate(booking.checkIn)} to ${formatCalendarDate(booking.checkOut)}`,
    total: formatMoney(Number(booking.total), booking.currency),
    guestName: guest.firstName,
  };
  const recipients = [
    { userId: booking.guestId, text: texts.guest },
    { userId: booking.hostId, text: texts.host },
  ];
  for (const { userId, text } of recipients) {
    if (!text) continue;
    await notify(tx, effects, {
      userId,
      type: `booking.${notice}`,
      ...text(stay),
      data: { bookingId },
      link: `${app.config.appUrl}/bookings/${bookingId}`,
      dedupeKey: `booking.${notice}:${bookingId}:${userId}`,
    });
  }
}
