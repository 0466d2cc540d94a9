// quote.ts's stay total as SQL, so search can filter and order every match by it without loading
// listings into TypeScript. The same nights (the host's custom price for a night, else the base
// price) and the same arithmetic as quoteStay: bigint, each derived amount rounded half up once,
// the total the sum of the lines, NULL where quoteStay throws AmountTooLargeError. Equal to
// quoteListingStay's total to the minor unit (tests/modules/pricing/stay-total-sql.test.ts);
// a change to quote.ts must be made here too.
import type { Config } from "../../config.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { formatCalendarDate, nightsBetween } from "../../core/calendar-date.ts";
import { MAX_MONEY_AMOUNT } from "./money.ts";
import { MONTHLY_NIGHTS, WEEKLY_NIGHTS } from "./quote.ts";

/** Where a statement holds the listing's pricing columns (a table alias or a subquery's names). */
export interface ListingPriceColumns {
  id: Prisma.Sql;
  nightlyPrice: Prisma.Sql;
  cleaningFee: Prisma.Sql;
  weeklyDiscountPct: Prisma.Sql;
  monthlyDiscountPct: Prisma.Sql;
}

/** The stay total the joins below end in: INTEGER, NULL when one Money cannot carry the stay. */
export const STAY_TOTAL = Prisma.sql`stay_total.amount`;

/** numerator / denominator rounded half up (divideRoundHalfUp), for non-negative bigints. */
const roundHalfUp = (numerator: Prisma.Sql, denominator: number) =>
  Prisma.sql`((2 * ${numerator} + ${denominator}::bigint) / ${2 * denominator}::bigint)`;

/** discountPercentFor, for a stay of `nights`. */
function discountPercent(listing: ListingPriceColumns, nights: number): Prisma.Sql {
  if (nights >= MONTHLY_NIGHTS) {
    return Prisma.sql`CASE WHEN ${listing.monthlyDiscountPct} > 0 THEN ${listing.monthlyDiscountPct} ELSE ${listing.weeklyDiscountPct} END`;
  }
  return nights >= WEEKLY_NIGHTS ? listing.weeklyDiscountPct : Prisma.sql`0`;
}

/**
 * The stay's custom nights of every listing that has any, one row per listing (listing_id,
 * nights, amount): for a statement that prices many listings, as a CTE named
 * STAY_CUSTOM_NIGHTS, hash-joined instead of probed per listing. It reads the stay's nights
 * alone (listing_night_prices_night_listing_id_amount_idx), however many listings the statement prices.
 */
export function stayCustomNights(stay: { checkIn: Date; checkOut: Date }): Prisma.Sql {
  return Prisma.sql`SELECT np.listing_id, count(*)::int AS nights, sum(np.amount)::bigint AS amount
    FROM listing_night_prices np
    WHERE np.night >= ${formatCalendarDate(stay.checkIn)}::date AND np.night < ${formatCalendarDate(stay.checkOut)}::date
    GROUP BY np.listing_id`;
}

/** The CTE name stayTotalJoins reads with `{ customNights: "joined" }`. */
export const STAY_CUSTOM_NIGHTS = Prisma.raw("stay_custom_nights");

/**
 * Joins to follow the listing's FROM item, ending in STAY_TOTAL for the stay [checkIn, checkOut).
 * The stay's custom night prices come from one aggregate probe per listing (the primary key
 * (listing_id, night) serves it), or, `joined`, from STAY_CUSTOM_NIGHTS (stayCustomNights), which
 * the statement must define; the lines are plain expressions over them.
 */
export function stayTotalJoins(
  listing: ListingPriceColumns,
  stay: { checkIn: Date; checkOut: Date },
  pricing: Pick<Config["pricing"], "serviceFeeBps" | "taxBps">,
  customNights: "probed" | "joined" = "probed",
): Prisma.Sql {
  const nights = nightsBetween(stay.checkIn, stay.checkOut);
  if (nights < 1) throw new RangeError("a stay has at least one night");
  const max = Prisma.sql`${MAX_MONEY_AMOUNT}::bigint`;
  const custom =
    customNights === "joined"
      ? Prisma.sql`
    LEFT JOIN ${STAY_CUSTOM_NIGHTS} stay_custom_row ON stay_custom_row.listing_id = ${listing.id}
    CROSS JOIN LATERAL (
      SELECT coalesce(stay_custom_row.nights, 0) AS nights, coalesce(stay_custom_row.amount, 0)::bigint AS amount
    ) stay_custom`
      : Prisma.sql`
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS nights, coalesce(sum(np.amount), 0)::bigint AS amount
      FROM listing_night_prices np
      WHERE np.listing_id = ${listing.id}
        AND np.night >= ${formatCalendarDate(stay.checkIn)}::date AND np.night < ${formatCalendarDate(stay.checkOut)}::date
    ) stay_custom`;
  // PostgreSQL pulls these subqueries up and substitutes each column where it is used, so an amount
  // used twice is computed twice, per listing: the lines are written for few repeats. The total is
  // taxable + roundHalfUp(taxable × taxBps, 10_000) as one division (taxable is a whole number), and
  // it stands for every line in the range check: the discount is under the subtotal (a percentage
  // below 100, listings_discounts_check), and the cleaning and service fees are within the taxable
  // amount, the taxes within the total. nullif(least(x, max + 1), max + 1) is x when x <= max, in
  // one evaluation of x.
  const over = Prisma.sql`${MAX_MONEY_AMOUNT + 1}::bigint`;
  return Prisma.sql`${custom}
    CROSS JOIN LATERAL (
      SELECT (${nights}::bigint - stay_custom.nights) * ${listing.nightlyPrice} + stay_custom.amount AS subtotal
    ) stay_nights
    CROSS JOIN LATERAL (
      SELECT stay_nights.subtotal
             - ${roundHalfUp(Prisma.sql`stay_nights.subtotal * ${discountPercent(listing, nights)}`, 100)}
             + ${listing.cleaningFee}
             + ${roundHalfUp(Prisma.sql`stay_nights.subtotal * ${pricing.serviceFeeBps}::bigint`, 10_000)} AS taxable
    ) stay_taxable
    CROSS JOIN LATERAL (
      SELECT CASE WHEN stay_nights.subtotal <= ${max}
                  THEN nullif(least((stay_taxable.taxable * ${20_000 + 2 * pricing.taxBps}::bigint + 10000) / 20000,
                                    ${over}), ${over})::int END AS amount
    ) stay_total`;
}
