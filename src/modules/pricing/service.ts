// Pricing a stay at a listing: the nights' prices (custom or base) fed to the pure quote.
// The quote query, search's stayTotal and bookings all come through quoteListingStay.
import type { Config } from "../../config.ts";
import { quoteStay, type StayQuote } from "./quote.ts";

/** The listing fields pricing reads. */
export interface PricedListing {
  currency: string;
  nightlyPrice: number;
  cleaningFee: number;
  weeklyDiscountPct: number;
  monthlyDiscountPct: number;
}

const DAY_MS = 86_400_000;

/** The nights of a stay: check-in up to, not including, check-out (UTC-midnight dates). */
export function stayNights(checkIn: Date, checkOut: Date): Date[] {
  const nights: Date[] = [];
  for (let t = checkIn.getTime(); t < checkOut.getTime(); t += DAY_MS) nights.push(new Date(t));
  return nights;
}

/**
 * Quotes a stay. customPrices maps "YYYY-MM-DD" to the host's price for that night;
 * other nights cost the listing's base price.
 */
export function quoteListingStay(
  listing: PricedListing,
  checkIn: Date,
  checkOut: Date,
  customPrices: ReadonlyMap<string, number>,
  pricing: Config["pricing"],
): StayQuote {
  const nightPrices = stayNights(checkIn, checkOut).map(
    (night) => customPrices.get(night.toISOString().slice(0, 10)) ?? listing.nightlyPrice,
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
