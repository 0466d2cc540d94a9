// Booking rows written straight to the database, for tests that need nights held by a booking
// before the bookings module exists: the bookings trigger creates and drops the hold.
import { type CalendarDate, nightsBetween, parseCalendarDate } from "../../src/core/calendar-date.ts";
import type { BookingStatus } from "../../src/generated/prisma/enums.ts";
import type { TestApp } from "./app.ts";

/** The CalendarDate of "YYYY-MM-DD", as stay dates are kept. */
export function day(date: string): CalendarDate {
  const parsed = parseCalendarDate(date);
  if (!parsed) throw new RangeError(`not a calendar date: ${date}`);
  return parsed;
}

export async function insertBookingRow(
  t: TestApp,
  stay: {
    listing: { id: string; hostId: string; currency: string };
    guest: { id: string };
    checkIn: string;
    checkOut: string;
    status: BookingStatus;
  },
): Promise<{ id: string }> {
  const [checkIn, checkOut] = [day(stay.checkIn), day(stay.checkOut)];
  return t.app.db.booking.create({
    data: {
      listingId: stay.listing.id,
      guestId: stay.guest.id,
      hostId: stay.listing.hostId,
      status: stay.status,
      checkIn,
      checkOut,
      nights: nightsBetween(checkIn, checkOut),
      guests: 1,
      currency: stay.listing.currency,
      total: 0n,
      quote: {},
      cancellationPolicy: "MODERATE",
    },
    select: { id: true },
  });
}
