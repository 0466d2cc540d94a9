// The search statements: each sort's keyset, and the page with its capped total in one statement.
//
// The page is ORDER BY the sort's stored columns and id, LIMIT first + 1, after the cursor as one
// row comparison. With many matches it first walks the sort's partial index
// (listings_*_order_idx): a bounded run of listings in keyset order, filtered, which holds the
// page unless the matches are rare among them (a filter that correlates with the order, such as a
// city's prices against the world's). Otherwise, and with few matches, the page is the sorted
// matches the location index finds. The capped count, needed anyway, gates the walk. A dated page
// in an order no index gives (stay total, distance) prices every match from the location index
// and probes free nights only as far as the count and the page need (sortedStayPage).
import type { Config } from "../../config.ts";
import { parseCalendarDate } from "../../core/calendar-date.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import {
  type ListingPriceColumns,
  STAY_CUSTOM_NIGHTS,
  STAY_TOTAL,
  stayCustomNights,
  stayTotalJoins,
} from "../pricing/stay-total-sql.ts";
import { distance, freeForStay, searchConditions } from "./conditions.ts";
import type { SearchPosition } from "./cursor.ts";
import { needsStayTotals, type SearchRequest, SORT_KEYSETS } from "./filters.ts";

/**
 * totalCount is exact up to this many matches; past it the count stops, and the total reads as
 * this with totalCountIsExact false. Up to it, sorting the matches costs little, so the page
 * walks the sort's index only past it.
 */
export const TOTAL_COUNT_CAP = 1_000;

/**
 * The walk reads at most this many listings per row of the page before it gives up to sorting:
 * it holds the page whenever at least one listing in this many, in keyset order, matches.
 */
export const WALK_ROWS_PER_RESULT = 50;

/**
 * A dated page sorted by stay total or distance first tries this many sorted matches per row it
 * needs, before sorting every match: in the bench's Lisbon search 7% of matches hold a night of
 * the stay, so five times the page is short only where most places are taken.
 */
export const FRONT_ROWS_PER_RESULT = 5;

export interface PageQueryOptions {
  /** Tests: how many sorted matches a dated page tries before sorting every match. */
  frontRows?: number;
}

/**
 * RELEVANCE ranks by a Bayesian rating: the listing's average pulled toward PRIOR_MEAN by
 * PRIOR_WEIGHT virtual reviews, so many good reviews beat one perfect one and a new listing
 * starts mid-pack; ties go to the newest listing. PostgreSQL stores the score (× 1000, rounded)
 * as listings.relevance_score, a generated column: changing these takes a migration
 * (tests/infra/migrations.test.ts checks the column against them).
 */
export const RELEVANCE_PRIOR_MEAN = 4;
export const RELEVANCE_PRIOR_WEIGHT = 3;

/** A listing of the page. */
export interface MatchRow {
  id: string;
  keys: number[];
  currency: string;
  /** With dates: the stay's total (quote's), null where one Money cannot carry it. */
  stayTotal: number | null;
}

/** The total is min(matches, TOTAL_COUNT_CAP + 1). */
export type PageRow = { total: number } & (MatchRow | { [K in keyof MatchRow]: null });

/** The stay's pricing of a request: where stay totals are computed, if anywhere. */
interface StayPricing {
  /** The CTEs `joins` read (STAY_CUSTOM_NIGHTS), to open the statement's WITH: "name AS (...), ". */
  with: Prisma.Sql;
  /** Joins that price every listing `l` the statement filters, when totals filter or order them. */
  joins: Prisma.Sql;
  /** The conditions on that total: one exists, within priceMin/priceMax. */
  conditions: Prisma.Sql;
  /** The page's stay total column over listing `l`. */
  total: Prisma.Sql;
  /** Joins that price the page's rows `p` alone (dates, but no price sort or filter). */
  pageJoins: Prisma.Sql | null;
}

const columnsOf = (alias: "l" | "p"): ListingPriceColumns =>
  alias === "l"
    ? {
        id: Prisma.sql`l.id`,
        nightlyPrice: Prisma.sql`l.nightly_price`,
        cleaningFee: Prisma.sql`l.cleaning_fee`,
        weeklyDiscountPct: Prisma.sql`l.weekly_discount_pct`,
        monthlyDiscountPct: Prisma.sql`l.monthly_discount_pct`,
      }
    : {
        id: Prisma.sql`p.id`,
        nightlyPrice: Prisma.sql`p."nightlyPrice"`,
        cleaningFee: Prisma.sql`p."cleaningFee"`,
        weeklyDiscountPct: Prisma.sql`p."weeklyDiscountPct"`,
        monthlyDiscountPct: Prisma.sql`p."monthlyDiscountPct"`,
      };

function stayPricing(request: SearchRequest, pricing: Config["pricing"]): StayPricing {
  const none = {
    with: Prisma.empty,
    joins: Prisma.empty,
    conditions: Prisma.sql`true`,
    total: Prisma.sql`NULL::int`,
  };
  const { stay, priceMin, priceMax } = request.filter;
  if (!stay) return { ...none, pageJoins: null };
  const checkIn = parseCalendarDate(stay.checkIn);
  const checkOut = parseCalendarDate(stay.checkOut);
  if (!checkIn || !checkOut) throw new RangeError("stay dates were validated");
  if (!needsStayTotals(request)) {
    return { ...none, pageJoins: stayTotalJoins(columnsOf("p"), { checkIn, checkOut }, pricing) };
  }
  // A stay with no total (too dear for one Money) cannot be ranked or compared by price: left out.
  const conditions = [Prisma.sql`${STAY_TOTAL} IS NOT NULL`];
  if (priceMin !== null) conditions.push(Prisma.sql`${STAY_TOTAL} >= ${priceMin}::int`);
  if (priceMax !== null) conditions.push(Prisma.sql`${STAY_TOTAL} <= ${priceMax}::int`);
  // Every match is priced: the stay's custom nights are read once, not probed per match.
  return {
    with: Prisma.sql`${STAY_CUSTOM_NIGHTS} AS (${stayCustomNights({ checkIn, checkOut })}), `,
    joins: stayTotalJoins(columnsOf("l"), { checkIn, checkOut }, pricing, "joined"),
    conditions: Prisma.join(conditions, " AND "),
    total: STAY_TOTAL,
    pageJoins: null,
  };
}

/** One column of a keyset. */
interface KeyColumn {
  /** As ORDER BY and the keyset comparison name it: the order index's own expression. */
  sql: Prisma.Sql;
  /** Its value in the cursor, exact as a float8 (an integer, milliseconds, a float8). */
  key: Prisma.Sql;
  /** A cursor key back as a parameter of the column's own type, so the index serves the comparison. */
  param: (key: number) => Prisma.Sql;
}

const int = (sql: Prisma.Sql): KeyColumn => ({ sql, key: sql, param: (key) => Prisma.sql`${key}::int` });
const float = (sql: Prisma.Sql): KeyColumn => ({ sql, key: sql, param: (key) => Prisma.sql`${key}::float8` });
const instant = (sql: Prisma.Sql): KeyColumn => ({
  sql,
  key: Prisma.sql`extract(epoch FROM ${sql}) * 1000`,
  param: (key) => Prisma.sql`${new Date(key)}::timestamptz`,
});

interface SortOrder {
  /** The keyset before the id, of the kinds SORT_KEYSETS (filters.ts) names. */
  columns: KeyColumn[];
  direction: "ASC" | "DESC";
  /** An index gives this order over LISTED listings, so a page can walk it. */
  walkable: boolean;
}

/** Each sort's keyset on stored columns; price sorts with dates order by the stay total (priced joins). */
export function sortOrder(request: Pick<SearchRequest, "filter" | "sort">): SortOrder {
  const { filter, sort } = request;
  const { direction } = SORT_KEYSETS[sort];
  const walk = (...columns: KeyColumn[]): SortOrder => ({ columns, direction, walkable: true });
  switch (sort) {
    case "RELEVANCE":
      return walk(int(Prisma.sql`l.relevance_score`), instant(Prisma.sql`l.created_at`));
    case "NEWEST":
      return walk(instant(Prisma.sql`l.created_at`));
    case "RATING":
      return walk(float(Prisma.sql`coalesce(l.rating_average, 0)`), int(Prisma.sql`l.rating_count`));
    case "PRICE_ASC":
    case "PRICE_DESC":
      // The stay total is computed per match: every match is priced and sorted.
      if (filter.stay) return { columns: [int(STAY_TOTAL)], direction, walkable: false };
      return walk(int(Prisma.sql`l.nightly_price`));
    case "DISTANCE": {
      if (!filter.near) throw new RangeError("DISTANCE needs filter.near");
      // Whole metres: an integer key is exact in the cursor; the id breaks ties. Over a bounded
      // radius, every match is measured and sorted (no index orders by distance to a point).
      return { columns: [float(Prisma.sql`round(${distance(filter.near)})`)], direction, walkable: false };
    }
  }
}

const orderBy = (order: SortOrder, columns: Prisma.Sql[] = order.columns.map((column) => column.sql)) =>
  Prisma.join([...columns, Prisma.sql`l.id`].map((sql) => Prisma.sql`${sql} ${Prisma.raw(order.direction)}`));

/** Rows after the cursor in keyset order: one row comparison, which the order index serves. */
function afterCursor(
  order: SortOrder,
  after: SearchPosition | null,
  columns: Prisma.Sql[] = order.columns.map((column) => column.sql),
): Prisma.Sql {
  if (!after) return Prisma.sql`true`;
  const compared = Prisma.join([...columns, Prisma.sql`l.id`]);
  const values = Prisma.join([
    ...order.columns.map((column, index) => column.param(after.keys[index] ?? Number.NaN)),
    Prisma.sql`${after.id}::uuid`,
  ]);
  return Prisma.sql`(${compared}) ${Prisma.raw(order.direction === "ASC" ? ">" : "<")} (${values})`;
}

/** The cursor's keys of listing `l`. */
const keysOf = (order: SortOrder): Prisma.Sql =>
  Prisma.sql`ARRAY[${Prisma.join(order.columns.map((column) => column.key))}]::float8[]`;

/**
 * The page's columns from listing `l` (keys: `keysOf`, or a subquery's own), with what pricing
 * the page's rows alone needs.
 */
function matchColumns(order: SortOrder, priced: StayPricing, keys: Prisma.Sql = keysOf(order)): Prisma.Sql {
  return Prisma.sql`l.id, ${keys} AS keys, l.currency::text AS currency, ${priced.total} AS "stayTotal",
      l.nightly_price AS "nightlyPrice", l.cleaning_fee AS "cleaningFee",
      l.weekly_discount_pct AS "weeklyDiscountPct", l.monthly_discount_pct AS "monthlyDiscountPct"`;
}

/** matchColumns' names, to pass them on from a subquery `l`. */
const carried = Prisma.sql`l.id, l.keys, l.currency, l."stayTotal", l."nightlyPrice", l."cleaningFee",
  l."weeklyDiscountPct", l."monthlyDiscountPct"`;

/**
 * A subquery's order columns, named k0, k1...: ordering by its output columns lets the planner
 * see the subquery's order (no sort) and lets the keyset comparison run on them.
 */
const named = (order: SortOrder): Prisma.Sql =>
  Prisma.join(order.columns.map((column, index) => Prisma.sql`${column.sql} AS ${Prisma.raw(`k${index}`)}`));
const outputColumns = (order: SortOrder): Prisma.Sql[] =>
  order.columns.map((_, index) => Prisma.raw(`l.k${index}`));

/**
 * The first first + 1 matches after the cursor among the next `rows` LISTED listings in keyset
 * order: read along the order index, the filter applied to them alone, stopping at the page.
 */
function walkedMatches(
  request: SearchRequest,
  order: SortOrder,
  priced: StayPricing,
  rows: number,
  gate: Prisma.Sql,
): Prisma.Sql {
  return Prisma.sql`SELECT ${matchColumns(order, priced, Prisma.sql`l.keys`)} FROM (
      SELECT l.*, ${keysOf(order)} AS keys, ${named(order)} FROM listings l
      WHERE l.status = 'LISTED' AND ${afterCursor(order, request.after)} AND ${gate}
      ORDER BY ${orderBy(order)} LIMIT ${rows}::int
    ) l ${priced.joins}
    WHERE ${searchConditions(request.filter, request.listingTodayAt)} AND ${priced.conditions}
    ORDER BY ${orderBy(order, outputColumns(order))} LIMIT ${request.first + 1}::int`;
}

/**
 * One page in keyset order plus the total: first + 1 rows (the extra one tells hasNextPage).
 * Always at least one row, carrying the total (its other columns are null when the page is empty).
 *
 * `counted` holds at most TOTAL_COUNT_CAP + 1 matches, found through the location index (or
 * whichever the filter allows): their number is the total, and when there are no more than the
 * cap, they are every match, so the page is sorted from them without filtering listings again.
 * Past the cap, the page walks the order index when the sort has one, and sorts every match (a
 * second pass over the location index) when it has none or the walk fell short.
 */
export function pageQuery(
  request: SearchRequest,
  pricing: Config["pricing"],
  options: PageQueryOptions = {},
): Prisma.Sql {
  const order = sortOrder(request);
  const priced = stayPricing(request, pricing);
  if (request.filter.stay && !order.walkable)
    return sortedStayPage(request, order, priced, request.filter.stay, options);
  const limit = Prisma.sql`${request.first + 1}::int`;
  const cap = Prisma.sql`${TOTAL_COUNT_CAP}::int`;
  const matches = Prisma.sql`listings l ${priced.joins}
    WHERE ${searchConditions(request.filter, request.listingTodayAt)} AND ${priced.conditions}`;
  const fromCounted = Prisma.sql`(SELECT ${carried} FROM counted l
      WHERE t.total <= ${cap} AND ${afterCursor(order, request.after, outputColumns(order))}
      ORDER BY ${orderBy(order, outputColumns(order))} LIMIT ${limit})`;
  const sortedAll = (gate: Prisma.Sql) => Prisma.sql`(SELECT ${matchColumns(order, priced)} FROM ${matches}
      AND ${afterCursor(order, request.after)} AND t.total > ${cap} AND ${gate}
      ORDER BY ${orderBy(order)} LIMIT ${limit})`;
  const page = order.walkable
    ? Prisma.sql`WITH walked AS (${walkedMatches(
        request,
        order,
        priced,
        WALK_ROWS_PER_RESULT * (request.first + 1),
        Prisma.sql`t.total > ${cap}`,
      )})
      SELECT * FROM walked WHERE (SELECT count(*) FROM walked) = ${limit}
      UNION ALL ${fromCounted}
      UNION ALL ${sortedAll(Prisma.sql`(SELECT count(*) FROM walked) < ${limit}`)}`
    : Prisma.sql`${fromCounted} UNION ALL ${sortedAll(Prisma.sql`true`)}`;
  const direction = Prisma.raw(order.direction);
  // Dates without a price sort or filter: only the page's rows are priced, here.
  const stayTotal = priced.pageJoins ? STAY_TOTAL : Prisma.sql`p."stayTotal"`;
  return Prisma.sql`WITH ${priced.with}counted AS MATERIALIZED (
      SELECT ${matchColumns(order, priced)}, ${named(order)} FROM ${matches}
      LIMIT ${TOTAL_COUNT_CAP + 1}::int)
    SELECT t.total, p.id, p.keys, p.currency, ${stayTotal} AS "stayTotal"
    FROM (SELECT count(*)::int AS total FROM counted) t
    LEFT JOIN LATERAL (${page}) p ON true ${priced.pageJoins ?? Prisma.empty}
    ORDER BY p.keys ${direction}, p.id ${direction}`;
}

/**
 * A dated page in an order no index gives (the stay total, the distance): pageQuery's shape, but
 * whether a listing is free for the stay, the costly test (an index probe), is asked of as few
 * listings as the answer needs. Every other condition and the order keys are computed once for
 * every match (`area`, cheap per row); the total probes matches until TOTAL_COUNT_CAP + 1 are
 * free, and past the cap the page probes the matches in keyset order and stops at first + 1.
 */
function sortedStayPage(
  request: SearchRequest,
  order: SortOrder,
  priced: StayPricing,
  stay: NonNullable<SearchRequest["filter"]["stay"]>,
  options: PageQueryOptions,
): Prisma.Sql {
  const limit = Prisma.sql`${request.first + 1}::int`;
  const cap = Prisma.sql`${TOTAL_COUNT_CAP}::int`;
  const keys = outputColumns(order);
  // The cursor's keys are the order's own values here (no instants), so the page's rows alone
  // build them, from k0, k1... (as the currency's text): not every match.
  if (order.columns.some((column) => column.key !== column.sql))
    throw new RangeError("keys differ from the order");
  const pageColumns = Prisma.sql`l.id, ARRAY[${Prisma.join(keys)}]::float8[] AS keys, l.currency::text AS currency,
      l."stayTotal", l."nightlyPrice", l."cleaningFee", l."weeklyDiscountPct", l."monthlyDiscountPct"`;
  const free = freeForStay(stay, Prisma.sql`l.id`);
  const direction = Prisma.raw(order.direction);
  const stayTotal = priced.pageJoins ? STAY_TOTAL : Prisma.sql`p."stayTotal"`;
  // The stay total is computed once per match, in a subquery of its own (OFFSET 0): the order keys
  // and price conditions read it as a column. Inlined, the pricing joins' expressions would be
  // repeated in each. The subquery names only columns listings_location_idx carries, so the matches
  // are read from that index alone (no heap page per match). Past the cap, OFFSET 0 keeps the
  // sorted matches a subquery of their own, so the probe runs on its output row by row, after the
  // sort, and the LIMIT stops it. Before that sort of every match, `front` tries the first
  // `frontRows` in order (a top-N sort, far cheaper): when enough of them are free, they are the
  // page, since no free match can come before them; only when they fall short is everything sorted.
  const frontRows = options.frontRows ?? FRONT_ROWS_PER_RESULT * (request.first + 1);
  return Prisma.sql`WITH ${priced.with}area AS MATERIALIZED (
      SELECT l.id, l.currency, stay_total.amount AS "stayTotal", l.nightly_price AS "nightlyPrice",
             l.cleaning_fee AS "cleaningFee", l.weekly_discount_pct AS "weeklyDiscountPct",
             l.monthly_discount_pct AS "monthlyDiscountPct", ${named(order)}
      FROM (
        SELECT l.id, l.currency, l.nightly_price, l.cleaning_fee, l.weekly_discount_pct,
               l.monthly_discount_pct, l.earth_point, ${priced.total} AS stay_amount
        FROM listings l ${priced.joins}
        WHERE ${searchConditions(request.filter, request.listingTodayAt, "deferred")} OFFSET 0
      ) l CROSS JOIN LATERAL (SELECT l.stay_amount AS amount) stay_total
      WHERE ${priced.conditions}),
    counted AS MATERIALIZED (SELECT l.* FROM area l WHERE ${free} LIMIT ${TOTAL_COUNT_CAP + 1}::int),
    front AS MATERIALIZED (
      SELECT l.* FROM (
          SELECT * FROM area l WHERE ${afterCursor(order, request.after, keys)}
          ORDER BY ${orderBy(order, keys)} LIMIT ${frontRows}::int) l
        WHERE ${free} LIMIT ${limit})
    SELECT t.total, p.id, p.keys, p.currency, ${stayTotal} AS "stayTotal"
    FROM (SELECT count(*)::int AS total FROM counted) t
    LEFT JOIN LATERAL (
      (SELECT ${pageColumns} FROM counted l
        WHERE t.total <= ${cap} AND ${afterCursor(order, request.after, keys)}
        ORDER BY ${orderBy(order, keys)} LIMIT ${limit})
      UNION ALL
      (SELECT ${pageColumns} FROM front l WHERE t.total > ${cap} AND (SELECT count(*) FROM front) = ${limit})
      UNION ALL
      (SELECT ${pageColumns} FROM (
          SELECT * FROM area l WHERE t.total > ${cap} AND (SELECT count(*) FROM front) < ${limit}
            AND ${afterCursor(order, request.after, keys)}
          ORDER BY ${orderBy(order, keys)} OFFSET 0) l
        WHERE ${free} LIMIT ${limit})
    ) p ON true ${priced.pageJoins ?? Prisma.empty}
    ORDER BY p.keys ${direction}, p.id ${direction}`;
}
