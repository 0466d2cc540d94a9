// Quoting a stay at a listing: the stay rules, the nights' availability, then the one pricing rule.
// Bookings reuse quoteAvailableStay inside their transaction, so a booking's price is the quote's.
import type { Config } from "../../config.ts";
import type { App } from "../../app.ts";
import type { MaybeActor } from "../../core/actor.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { nightsBetween } from "../../core/calendar-date.ts";
import { badInput, type FieldError, invalidState } from "../../core/errors.ts";
import { customPricesFor, datesUnavailable, hasHeldNight, listingToday } from "../listings/calendar.ts";
import { viewableListing } from "../listings/access.ts";
import { MAX_MONEY_AMOUNT } from "./money.ts";
import { AmountTooLargeError, type StayQuote } from "./quote.ts";
import { type PricedListing, quoteListingStay } from "./service.ts";

export interface StayRequest {
  checkIn: Date;
  checkOut: Date;
  guests: number;
}

/** The listing fields a stay is checked and priced against. */
export type StayListing = PricedListing &
  Pick<Listing, "id" | "timeZone" | "maxGuests" | "minNights" | "maxNights">;

export interface ListingQuote extends StayQuote {
  checkIn: Date;
  checkOut: Date;
}

/** Every way the stay breaks the listing's rules, all at once; `today` is the listing's local date. */
export function stayIssues(listing: StayListing, stay: StayRequest, today: Date): FieldError[] {
  const issues: FieldError[] = [];
  const nights = nightsBetween(stay.checkIn, stay.checkOut);
  if (stay.checkIn < today) issues.push({ path: "checkIn", message: "must not be in the past" });
  if (nights < 1) {
    issues.push({ path: "checkOut", message: "must be after checkIn" });
  } else if (nights < listing.minNights) {
    issues.push({ path: "checkOut", message: `the stay must be at least ${listing.minNights} nights` });
  } else if (nights > listing.maxNights) {
    issues.push({ path: "checkOut", message: `the stay must be at most ${listing.maxNights} nights` });
  }
  if (stay.guests < 1) issues.push({ path: "guests", message: "must be at least 1" });
  if (stay.guests > listing.maxGuests) {
    issues.push({ path: "guests", message: `must be at most ${listing.maxGuests} for this listing` });
  }
  return issues;
}

/**
 * Checks the stay (BAD_USER_INPUT), refuses held nights (DATES_UNAVAILABLE) and prices it.
 * Reads through `db`: pass the transaction client when the quote must hold for a write.
 */
export async function quoteAvailableStay(
  db: Parameters<typeof customPricesFor>[0],
  listing: StayListing,
  stay: StayRequest,
  app: Pick<App, "clock" | "config">,
): Promise<ListingQuote> {
  const issues = stayIssues(listing, stay, listingToday(app.clock, listing));
  if (issues.length) throw badInput(issues);
  // Priced before the calendar is read: a stay too dear to charge is bad input, reported first.
  const customPrices = await customPricesFor(db, listing.id, stay.checkIn, stay.checkOut);
  const quote = priceStay(listing, stay, customPrices, app.config.pricing);
  if (await hasHeldNight(db, listing.id, stay.checkIn, stay.checkOut)) throw datesUnavailable();
  return { ...quote, checkIn: stay.checkIn, checkOut: stay.checkOut };
}

/** quoteListingStay, with a total no Money can carry refused as BAD_USER_INPUT on checkOut. */
function priceStay(
  listing: StayListing,
  stay: StayRequest,
  customPrices: ReadonlyMap<string, number>,
  pricing: Config["pricing"],
): StayQuote {
  try {
    return quoteListingStay(listing, stay.checkIn, stay.checkOut, customPrices, pricing);
  } catch (error) {
    if (!(error instanceof AmountTooLargeError)) throw error;
    const limit = MAX_MONEY_AMOUNT.toLocaleString("en-US");
    throw badInput([
      {
        path: "checkOut",
        message: `the stay's total would exceed ${limit} minor units of ${listing.currency}, the most one payment carries: choose fewer nights`,
      },
    ]);
  }
}

/** A suspended listing takes no bookings, so it prices none (only its host and admins see it). */
export const listingSuspended = () => invalidState("The listing is suspended and takes no new bookings");

/** The `quote` query: any listing the caller can see, unless it is suspended. */
export async function quoteForListing(
  actor: MaybeActor,
  input: StayRequest & { listingId: string },
  app: App,
): Promise<ListingQuote> {
  const listing = await viewableListing(actor, input.listingId, app);
  if (listing.status === "SUSPENDED") throw listingSuspended();
  return quoteAvailableStay(app.db, listing, input, app);
}
