// The review window, pure: both sides of a COMPLETED stay may review until 14 days after the
// listing-local check-out (the same local time 14 calendar days later, as the booking's
// snapshot agreed it), and at its end every review still hidden is published.
import { addDays, parseCalendarDate, zonedInstant } from "../../core/calendar-date.ts";
import type { BookingSnapshot } from "../bookings/snapshot.ts";

export const REVIEW_WINDOW_DAYS = 14;

/** The instant the review window of this stay closes (reviews are taken strictly before it). */
export function reviewWindowEnd(snapshot: BookingSnapshot): Date {
  const checkOut = parseCalendarDate(snapshot.checkOut);
  if (!checkOut) throw new TypeError(`booking snapshot has a bad checkOut: ${snapshot.checkOut}`);
  return zonedInstant(
    addDays(checkOut, REVIEW_WINDOW_DAYS),
    snapshot.listing.checkOutTime,
    snapshot.listing.timeZone,
  );
}

export const isReviewWindowOpen = (snapshot: BookingSnapshot, at: Date): boolean =>
  at < reviewWindowEnd(snapshot);
