// The search statements: each sort's keyset, and the page with its capped total in one statement.
//
// The page is ORDER BY the sort's stored columns and id, LIMIT first + 1, after the cursor as one
// row comparison. With many matches it first walks the sort's partial index
// (listings_*_order_idx): a bounded run of listings in keyset order, filtered, which holds the
// page unless the matches are rare among them (a filter that correlates with the order, such as a
// city's prices against the world's). Otherwise, and with few matches, the page is the sorted
// matches the location index finds. The capped count, needed anyway, gates the walk.
import { Prisma } from "../../generated/prisma/client.ts";
import { distance, searchConditions } from "./conditions.ts";
import type { SearchPosition } from "./cursor.ts";
import { type SearchRequest, SORT_KEYSETS } from "./filters.ts";

/**
 * Upper bound on the listings priced in TypeScript when price sorts or filters apply to stay
 * totals (quoteListingStay cannot run in SQL). Past it, later pages and totalCount cover only the
 * first CANDIDATE_CAP matches in nightly-price (or the sort's own) order.
 */
export const CANDIDATE_CAP = 2_000;

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
 * RELEVANCE ranks by a Bayesian rating: the listing's average pulled toward PRIOR_MEAN by
 * PRIOR_WEIGHT virtual reviews, so many good reviews beat one perfect one and a new listing
 * starts mid-pack; ties go to the newest listing. PostgreSQL stores the score (× 1000, rounded)
 * as listings.relevance_score, a generated column: changing these takes a migration
 * (tests/infra/migrations.test.ts checks the column against them).
 */
export const RELEVANCE_PRIOR_MEAN = 4;
export const RELEVANCE_PRIOR_WEIGHT = 3;

/** The columns quoteListingStay needs, read with the ids so pricing takes no extra statement. */
export interface MatchRow {
  id: string;
  keys: number[];
  currency: string;
  nightlyPrice: number;
  cleaningFee: number;
  weeklyDiscountPct: number;
  monthlyDiscountPct: number;
}

/** The total is min(matches, TOTAL_COUNT_CAP + 1). */
export type PageRow = { total: number } & (MatchRow | { [K in keyof MatchRow]: null });

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

/** Each sort's keyset on stored columns; price keys are the nightly price (service.ts re-keys with dates). */
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

/** The page's columns from listing `l` (keys: `keysOf`, or a subquery's own). */
function matchColumns(order: SortOrder, keys: Prisma.Sql = keysOf(order)): Prisma.Sql {
  return Prisma.sql`l.id, ${keys} AS keys, l.currency::text AS currency,
      l.nightly_price AS "nightlyPrice", l.cleaning_fee AS "cleaningFee",
      l.weekly_discount_pct AS "weeklyDiscountPct", l.monthly_discount_pct AS "monthlyDiscountPct"`;
}

/** matchColumns' names, to pass them on from a subquery `l`. */
const carried = Prisma.sql`l.id, l.keys, l.currency, l."nightlyPrice", l."cleaningFee",
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
function walkedMatches(request: SearchRequest, order: SortOrder, rows: number, gate: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT ${matchColumns(order, Prisma.sql`l.keys`)} FROM (
      SELECT l.*, ${keysOf(order)} AS keys, ${named(order)} FROM listings l
      WHERE l.status = 'LISTED' AND ${afterCursor(order, request.after)} AND ${gate}
      ORDER BY ${orderBy(order)} LIMIT ${rows}::int
    ) l
    WHERE ${searchConditions(request.filter, request.listingTodayAt)}
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
export function pageQuery(request: SearchRequest): Prisma.Sql {
  const order = sortOrder(request);
  const limit = Prisma.sql`${request.first + 1}::int`;
  const cap = Prisma.sql`${TOTAL_COUNT_CAP}::int`;
  const conditions = searchConditions(request.filter, request.listingTodayAt);
  const fromCounted = Prisma.sql`(SELECT ${carried} FROM counted l
      WHERE t.total <= ${cap} AND ${afterCursor(order, request.after, outputColumns(order))}
      ORDER BY ${orderBy(order, outputColumns(order))} LIMIT ${limit})`;
  const sortedAll = (gate: Prisma.Sql) => Prisma.sql`(SELECT ${matchColumns(order)} FROM listings l
      WHERE ${conditions} AND ${afterCursor(order, request.after)} AND t.total > ${cap} AND ${gate}
      ORDER BY ${orderBy(order)} LIMIT ${limit})`;
  const page = order.walkable
    ? Prisma.sql`WITH walked AS (${walkedMatches(
        request,
        order,
        WALK_ROWS_PER_RESULT * (request.first + 1),
        Prisma.sql`t.total > ${cap}`,
      )})
      SELECT * FROM walked WHERE (SELECT count(*) FROM walked) = ${limit}
      UNION ALL ${fromCounted}
      UNION ALL ${sortedAll(Prisma.sql`(SELECT count(*) FROM walked) < ${limit}`)}`
    : Prisma.sql`${fromCounted} UNION ALL ${sortedAll(Prisma.sql`true`)}`;
  const direction = Prisma.raw(order.direction);
  return Prisma.sql`WITH counted AS MATERIALIZED (
      SELECT ${matchColumns(order)}, ${named(order)} FROM listings l WHERE ${conditions}
      LIMIT ${TOTAL_COUNT_CAP + 1}::int)
    SELECT t.total, p.*
    FROM (SELECT count(*)::int AS total FROM counted) t
    LEFT JOIN LATERAL (${page}) p ON true
    ORDER BY p.keys ${direction}, p.id ${direction}`;
}

/** Every match up to CANDIDATE_CAP + 1 in the sort's order, for pricing and paginating in TypeScript. */
export function candidatesQuery(request: SearchRequest): Prisma.Sql {
  const order = sortOrder(request);
  return Prisma.sql`SELECT ${matchColumns(order)} FROM listings l
    WHERE ${searchConditions(request.filter, request.listingTodayAt)}
    ORDER BY ${orderBy(order)} LIMIT ${CANDIDATE_CAP + 1}::int`;
}
