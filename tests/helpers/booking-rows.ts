// Booking rows written straight to the database, for tests that need nights held by a booking
// in a state or at a date the API would not make (the past, a status set by hand): the bookings
// trigger creates and drops the hold.
import { type CalendarDate, nightsBetween, parseCalendarDate } from "../../src/core/calendar-date.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import type { BookingStatus } from "../../src/generated/prisma/enums.ts";
import { takeSnapshot } from "../../src/modules/bookings/snapshot.ts";
import { quoteStay } from "../../src/modules/pricing/quote.ts";
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
  const nights = nightsBetween(checkIn, checkOut);
  // What the bookings module stores: a snapshot of a plain quote (100.00 a night, no fees).
  const quote = quoteStay({
    currency: stay.listing.currency,
    nightPrices: Array<number>(nights).fill(10_000),
    cleaningFee: 0,
    weeklyDiscountPercent: 0,
    monthlyDiscountPercent: 0,
    serviceFeeBps: 0,
    taxBps: 0,
  });
  const snapshot = takeSnapshot(
    {
      title: "A test stay",
      timeZone: "UTC",
      checkInTime: "15:00",
      checkOutTime: "11:00",
      cancellationPolicy: "MODERATE",
    },
    quote,
    { checkIn: stay.checkIn, checkOut: stay.checkOut },
    { serviceFeeBps: 0, taxBps: 0, hostFeeBps: 300 },
  );
  return t.app.db.booking.create({
    data: {
      listingId: stay.listing.id,
      guestId: stay.guest.id,
      hostId: stay.listing.hostId,
      status: stay.status,
      checkIn,
      checkOut,
      nights,
      guests: 1,
      currency: stay.listing.currency,
      total: BigInt(quote.total),
      quote: snapshot as unknown as Prisma.InputJsonObject,
      cancellationPolicy: "MODERATE",
    },
    select: { id: true },
  });
}
