// Booking rows written straight to the database, for tests that need nights held by a booking
// before the bookings module exists: the bookings trigger creates and drops the hold.
import type { BookingStatus } from "../../src/generated/prisma/enums.ts";
import type { TestApp } from "./app.ts";

/** A UTC-midnight Date from "YYYY-MM-DD", as stay dates are kept. */
export const day = (date: string): Date => new Date(`${date}T00:00:00Z`);

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
      nights: Math.round((checkOut.getTime() - checkIn.getTime()) / 86_400_000),
      guests: 1,
      currency: stay.listing.currency,
      total: 0,
      quote: {},
      cancellationPolicy: "MODERATE",
    },
    select: { id: true },
  });
}
