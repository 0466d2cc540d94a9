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
 * LATERAL joins to follow the listing's FROM item, ending in STAY_TOTAL for the stay
 * [checkIn, checkOut). One aggregate probe of the stay's custom night prices per listing (the
 * primary key (listing_id, night) serves it); the lines are plain expressions over it.
 */
export function stayTotalJoins(
  listing: ListingPriceColumns,
  stay: { checkIn: Date; checkOut: Date },
  pricing: Pick<Config["pricing"], "serviceFeeBps" | "taxBps">,
): Prisma.Sql {
  const nights = nightsBetween(stay.checkIn, stay.checkOut);
  if (nights < 1) throw new RangeError("a stay has at least one night");
  const max = Prisma.sql`${MAX_MONEY_AMOUNT}::bigint`;
  return Prisma.sql`
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS nights, coalesce(sum(np.amount), 0)::bigint AS amount
      FROM listing_night_prices np
      WHERE np.listing_id = ${listing.id}
        AND np.night >= ${formatCalendarDate(stay.checkIn)}::date AND np.night < ${formatCalendarDate(stay.checkOut)}::date
    ) stay_custom
    CROSS JOIN LATERAL (
      SELECT (${nights}::bigint - stay_custom.nights) * ${listing.nightlyPrice} + stay_custom.amount AS subtotal
    ) stay_nights
    CROSS JOIN LATERAL (
      SELECT ${roundHalfUp(Prisma.sql`stay_nights.subtotal * ${discountPercent(listing, nights)}`, 100)} AS discount,
             ${roundHalfUp(Prisma.sql`stay_nights.subtotal * ${pricing.serviceFeeBps}::bigint`, 10_000)} AS service_fee
    ) stay_lines
    CROSS JOIN LATERAL (
      SELECT stay_nights.subtotal - stay_lines.discount + ${listing.cleaningFee} + stay_lines.service_fee AS taxable
    ) stay_taxable
    CROSS JOIN LATERAL (
      SELECT ${roundHalfUp(Prisma.sql`stay_taxable.taxable * ${pricing.taxBps}::bigint`, 10_000)} AS taxes
    ) stay_taxes
    CROSS JOIN LATERAL (
      SELECT CASE WHEN greatest(stay_nights.subtotal, stay_lines.discount, ${listing.cleaningFee}::bigint,
                                stay_lines.service_fee, stay_taxes.taxes,
                                stay_taxable.taxable + stay_taxes.taxes) <= ${max}
                  THEN (stay_taxable.taxable + stay_taxes.taxes)::int END AS amount
    ) stay_total`;
}
