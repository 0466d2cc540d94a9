// Rules a listing keeps that depend on what is stored, checked on the locked row: what
// publishing needs (and a LISTED listing keeps), nights across stored and new values, and
// a currency that amounts and live bookings are held in.
import type { App } from "../../app.ts";
import { localDate } from "../../core/calendar-date.ts";
import type { FieldError } from "../../core/errors.ts";
import type { Tx } from "../../infra/unit-of-work.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { isVisiblyBlank } from "../../graphql/validation.ts";
import { nightlyPriceIssues } from "../pricing/money.ts";
import type { ListingFieldsInput } from "./service.ts";

/** What a listing lacks to be LISTED (and keep being so): a description and a photo. */
export function publishIssues(listing: { description: string }, photoCount: number): FieldError[] {
  const missing: FieldError[] = [];
  if (photoCount === 0) missing.push({ path: "photos", message: "add at least one photo before publishing" });
  if (isVisiblyBlank(listing.description))
    missing.push({ path: "description", message: "add a description before publishing" });
  return missing;
}

/**
 * Prices within the limits of the currency they will be held in: new prices in the new or
 * current currency, and the stored prices again when only the currency changes.
 */
export function priceIssues(current: Listing, input: ListingFieldsInput): FieldError[] {
  const newCurrency = input.currency != null && input.currency !== current.currency;
  return nightlyPriceIssues(input.currency ?? current.currency, {
    nightlyPrice: input.nightlyPrice ?? (newCurrency ? current.nightlyPrice : undefined),
    cleaningFee: input.cleaningFee ?? (newCurrency ? current.cleaningFee : undefined),
  });
}

/** min ≤ max across the stored and the new values (both new ones are checked at the edge). */
export function nightsIssues(current: Listing, input: ListingFieldsInput): FieldError[] {
  const minNights = input.minNights ?? current.minNights;
  const maxNights = input.maxNights ?? current.maxNights;
  if (minNights <= maxNights) return [];
  return input.minNights != null
    ? [{ path: "minNights", message: `must not exceed maxNights (${maxNights})` }]
    : [{ path: "maxNights", message: `must not be below minNights (${minNights})` }];
}

/** A LISTED listing keeps what publishing needed; its photos are kept by removeListingPhoto. */
export function listedIssues(current: Listing, input: ListingFieldsInput): FieldError[] {
  if (current.status !== "LISTED" || input.description == null || !isVisiblyBlank(input.description))
    return [];
  return [{ path: "description", message: "must not be empty while the listing is listed" }];
}

/**
 * Amounts stored in the listing's currency (custom prices of nights to come) and bookings
 * still live in it would change meaning with a new currency: refused until they are gone.
 */
export async function currencyIssues(
  tx: Tx,
  current: Listing,
  input: ListingFieldsInput,
  app: Pick<App, "clock">,
): Promise<FieldError[]> {
  if (input.currency == null || input.currency === current.currency) return [];
  const today = localDate(app.clock.now(), current.timeZone);
  const price = await tx.nightPrice.findFirst({
    where: { listingId: current.id, night: { gte: today } },
    select: { night: true },
  });
  const booking = price
    ? null
    : await tx.booking.findFirst({
        where: {
          listingId: current.id,
          currency: current.currency,
          status: { in: ["PENDING", "CONFIRMED"] },
        },
        select: { id: true },
      });
  if (!price && !booking) return [];
  return [
    {
      path: "currency",
      message: `cannot change while custom night prices or live bookings exist in ${current.currency}`,
    },
  ];
}
