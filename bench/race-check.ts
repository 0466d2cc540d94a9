// After a booking race, what the database says, beside what the clients heard: the listings
// raced for hold one live booking each (PENDING or CONFIRMED; the seed's past stays are
// COMPLETED), and no authorization is left for a loser (none still open, and the provider
// holds live charges only for the bookings that exist).
import type { App } from "../src/app.ts";
import { decodeGlobalId } from "../src/graphql/global-id.ts";

export interface RaceCheck {
  listings: number;
  /** Listings with exactly one live booking: every one of them, when the race was decided right. */
  listingsWithOneBooking: number;
  bookings: number;
  /** Payment attempts neither attached to a booking nor released. */
  openAttempts: number;
  /** The provider's charges on those listings that were not voided: one per booking. */
  liveCharges: number;
}

export const raceWasFair = (check: RaceCheck): boolean =>
  check.listingsWithOneBooking === check.listings &&
  check.bookings === check.listings &&
  check.openAttempts === 0 &&
  check.liveCharges === check.bookings;

export async function checkRaces(app: App, listingGlobalIds: readonly string[]): Promise<RaceCheck> {
  const ids = listingGlobalIds.map((id) => decodeGlobalId(id).id);
  const perListing = await app.db.booking.groupBy({
    by: ["listingId"],
    where: { listingId: { in: ids }, status: { in: ["PENDING", "CONFIRMED"] } },
    _count: true,
  });
  const openAttempts = await app.db.paymentAttempt.count({
    where: { listingId: { in: ids }, status: "OPEN" },
  });
  const [charges] = await app.db.$queryRaw<Array<{ live: number }>>`
    SELECT count(*)::int AS live FROM builtin_payment_charges
    WHERE metadata->>'listingId' = ANY(${ids}::text[]) AND status <> 'VOIDED'`;
  return {
    listings: ids.length,
    listingsWithOneBooking: perListing.filter((row) => row._count === 1).length,
    bookings: perListing.reduce((sum, row) => sum + row._count, 0),
    openAttempts,
    liveCharges: charges?.live ?? 0,
  };
}
