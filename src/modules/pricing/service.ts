// Pricing a stay at a listing: the nights' prices (custom or base) fed to the pure quote.
// The quote query and bookings come through quoteListingStay; search's stayTotal is its SQL
// twin (stay-total-sql.ts).
import type { Config } from "../../config.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { eachNight, formatCalendarDate } from "../../core/calendar-date.ts";
import { quoteStay, type StayQuote } from "./quote.ts";

/** The listing fields pricing reads. */
export interface PricedListing {
  currency: string;
  nightlyPrice: number;
  cleaningFee: number;
  weeklyDiscountPct: number;
  monthlyDiscountPct: number;
}

/**
 * Quotes a stay. customPrices maps "YYYY-MM-DD" to the host's price for that night;
 * other nights cost the listing's base price. Throws AmountTooLargeError (quote.ts) for a
 * stay some amount of which one Money cannot carry.
 */
export function quoteListingStay(
  listing: PricedListing,
  checkIn: Date,
  checkOut: Date,
  customPrices: ReadonlyMap<string, number>,
  pricing: Config["pricing"],
): StayQuote {
  const nightPrices = eachNight(checkIn, checkOut).map(
    (night) => customPrices.get(formatCalendarDate(night)) ?? listing.nightlyPrice,
  );
  return quoteStay({
    currency: listing.currency,
    nightPrices,
    cleaningFee: listing.cleaningFee,
    weeklyDiscountPercent: listing.weeklyDiscountPct,
    monthlyDiscountPercent: listing.monthlyDiscountPct,
    serviceFeeBps: pricing.serviceFeeBps,
    taxBps: pricing.taxBps,
  });
}

/**
 * Hosts' custom prices for the nights in [from, to) of several listings, in one query:
 * listing id → ("YYYY-MM-DD" → amount). Nights without one cost the base price.
 */
export async function customNightPrices(
  db: Pick<Prisma.TransactionClient, "nightPrice">,
  listingIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, Map<string, number>>> {
  const byListing = new Map<string, Map<string, number>>();
  if (listingIds.length === 0) return byListing;
  const rows = await db.nightPrice.findMany({
    where: { listingId: { in: [...listingIds] }, night: { gte: from, lt: to } },
    select: { listingId: true, night: true, amount: true },
  });
  for (const row of rows) {
    const prices = byListing.get(row.listingId) ?? new Map<string, number>();
    prices.set(formatCalendarDate(row.night), row.amount);
    byListing.set(row.listingId, prices);
  }
  return byListing;
}
