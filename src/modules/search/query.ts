// The search SQL, built from Prisma.sql fragments: user values only ever travel as parameters.
// Shape: WHERE on listings (status literal so the partial GiST index applies), one float8[]
// sort-key column per row (see cursor.ts), keyset pagination and the total in one statement.
import { Prisma } from "../../generated/prisma/client.ts";
import type { SearchFilter, SearchRequest } from "./filters.ts";
import { boundingUnitBox } from "./geo.ts";

/**
 * Upper bound on the listings priced in TypeScript when price sorts or filters apply to stay
 * totals (quoteListingStay cannot run in SQL). Past it, later pages and totalCount cover only the
 * first CANDIDATE_CAP matches in nightly-price (or the sort's own) order.
 */
export const CANDIDATE_CAP = 2_000;

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

export type PageRow = { total: number } & (MatchRow | { [K in keyof MatchRow]: null });

/** ll_to_earth(l.lat, l.lng), stored by PostgreSQL (a generated column) and indexed (listings_location_idx). */
const point = Prisma.sql`l.earth_point`;

function origin(near: NonNullable<SearchFilter["near"]>): Prisma.Sql {
  return Prisma.sql`ll_to_earth(${near.lat}::float8, ${near.lng}::float8)`;
}

/**
 * earth_distance(origin, point) in metres, written out as earthdistance computes it
 * (sec_to_gc(cube_distance(...))): the stored point is a cube, and sec_to_gc, an SQL function
 * using its argument three times, is not inlined but run per row. least() stands for sec_to_gc's
 * case of a chord rounded past the diameter; within MAX_RADIUS_KM the two are equal.
 */
function distance(near: NonNullable<SearchFilter["near"]>): Prisma.Sql {
  return Prisma.sql`(2 * earth() * asin(least(cube_distance(${origin(near)}, ${point}) / (2 * earth()), 1)))`;
}

/** The WHERE conditions, ANDed; listingTodayAt as in SearchRequest. */
export function searchConditions(filter: SearchFilter, listingTodayAt: Date | null = null): Prisma.Sql {
  // A literal, not a parameter: the planner must see it to use the partial listings_location_idx.
  const conditions: Prisma.Sql[] = [Prisma.sql`l.status = 'LISTED'`];
  if (filter.near) {
    const radius = Prisma.sql`${filter.near.radiusMeters}::float8`;
    // earth_box is the indexable square around the circle; earth_distance trims its corners.
    conditions.push(Prisma.sql`earth_box(${origin(filter.near)}, ${radius}) @> ${point}`);
    conditions.push(Prisma.sql`${distance(filter.near)} <= ${radius}`);
  }
  if (filter.bounds) {
    const { north, south, east, west } = filter.bounds;
    const { min, max } = boundingUnitBox(filter.bounds);
    const axis = (i: 0 | 1 | 2) => Prisma.sql`${min[i]}::float8 * earth(), ${max[i]}::float8 * earth()`;
    conditions.push(Prisma.sql`cube(cube(cube(${axis(0)}), ${axis(1)}), ${axis(2)}) @> ${point}`);
    conditions.push(Prisma.sql`l.lat BETWEEN ${south}::float8 AND ${north}::float8`);
    conditions.push(
      west <= east
        ? Prisma.sql`l.lng BETWEEN ${west}::float8 AND ${east}::float8`
        : Prisma.sql`(l.lng >= ${west}::float8 OR l.lng <= ${east}::float8)`,
    );
  }
  if (filter.stay) {
    const { checkIn, checkOut, nights } = filter.stay;
    conditions.push(Prisma.sql`l.min_nights <= ${nights}::int AND l.max_nights >= ${nights}::int`);
    // The listing's local today, as quote judges it (listings_time_zone_check: PostgreSQL knows the zone).
    if (listingTodayAt) {
      conditions.push(
        Prisma.sql`(${listingTodayAt}::timestamptz AT TIME ZONE l.time_zone)::date <= ${checkIn}::date`,
      );
    }
    // Written as the exclusion constraint's expression so its GiST index serves the probe.
    conditions.push(Prisma.sql`NOT EXISTS (
      SELECT 1 FROM calendar_holds h
      WHERE h.listing_id = l.id
        AND daterange(h.start_date, h.end_date, '[)') && daterange(${checkIn}::date, ${checkOut}::date, '[)'))`);
  } else {
    // With dates the price filter applies to stay totals, in TypeScript (service.ts).
    if (filter.priceMin !== null) conditions.push(Prisma.sql`l.nightly_price >= ${filter.priceMin}::int`);
    if (filter.priceMax !== null) conditions.push(Prisma.sql`l.nightly_price <= ${filter.priceMax}::int`);
  }
  if (filter.guests !== null) conditions.push(Prisma.sql`l.max_guests >= ${filter.guests}::int`);
  if (filter.amenityCodes.length > 0) {
    conditions.push(Prisma.sql`(
      SELECT count(*) FROM listing_amenities la
      WHERE la.listing_id = l.id AND la.amenity_code = ANY(${filter.amenityCodes}::text[])
    ) = ${filter.amenityCodes.length}::int`);
  }
  if (filter.propertyTypes.length > 0)
    conditions.push(Prisma.sql`l.property_type = ANY(${filter.propertyTypes}::"PropertyType"[])`);
  if (filter.roomTypes.length > 0)
    conditions.push(Prisma.sql`l.room_type = ANY(${filter.roomTypes}::"RoomType"[])`);
  if (filter.instantBook !== null)
    conditions.push(Prisma.sql`l.instant_book = ${filter.instantBook}::boolean`);
  if (filter.minBedrooms !== null) conditions.push(Prisma.sql`l.bedrooms >= ${filter.minBedrooms}::int`);
  return Prisma.join(conditions, " AND ");
}

const createdMs = Prisma.sql`(extract(epoch FROM l.created_at) * 1000)::float8`;

/**
 * The ascending key array of each sort (descending parts negated), SORT_KEY_COUNT (filters.ts) long.
 * Keys are integers or stored floats, so they survive the cursor's JSON round trip exactly.
 * Price keys are the nightly price here; with dates, service.ts re-keys by the stay total.
 */
export function sortKeys(request: Pick<SearchRequest, "filter" | "sort">): Prisma.Sql {
  const { filter, sort } = request;
  switch (sort) {
    case "RELEVANCE":
      return Prisma.sql`ARRAY[-l.relevance_score, -${createdMs}]::float8[]`;
    case "NEWEST":
      return Prisma.sql`ARRAY[-${createdMs}]::float8[]`;
    case "RATING":
      return Prisma.sql`ARRAY[-coalesce(l.rating_average, 0), -l.rating_count]::float8[]`;
    case "PRICE_ASC":
      return Prisma.sql`ARRAY[l.nightly_price]::float8[]`;
    case "PRICE_DESC":
      return Prisma.sql`ARRAY[-l.nightly_price]::float8[]`;
    case "DISTANCE": {
      if (!filter.near) throw new RangeError("DISTANCE needs filter.near");
      // Whole metres: an integer key is exact in the cursor; the id breaks ties.
      return Prisma.sql`ARRAY[round(${distance(filter.near)})]::float8[]`;
    }
  }
}

function matchesSelect(request: Pick<SearchRequest, "filter" | "sort" | "listingTodayAt">): Prisma.Sql {
  return Prisma.sql`SELECT l.id, ${sortKeys(request)} AS keys, l.currency::text AS currency,
      l.nightly_price AS "nightlyPrice", l.cleaning_fee AS "cleaningFee",
      l.weekly_discount_pct AS "weeklyDiscountPct", l.monthly_discount_pct AS "monthlyDiscountPct"
    FROM listings l
    WHERE ${searchConditions(request.filter, request.listingTodayAt)}`;
}

/**
 * One page in keyset order plus the total: first + 1 rows (the extra one tells hasNextPage).
 * Always at least one row, carrying the total (its other columns are null when the page is empty).
 */
export function pageQuery(request: SearchRequest): Prisma.Sql {
  const after = request.after
    ? Prisma.sql`(m.keys, m.id) > (${request.after.keys}::float8[], ${request.after.id}::uuid)`
    : Prisma.sql`true`;
  return Prisma.sql`WITH matches AS MATERIALIZED (${matchesSelect(request)})
    SELECT t.total, p.*
    FROM (SELECT count(*)::int AS total FROM matches) t
    LEFT JOIN LATERAL (
      SELECT m.* FROM matches m WHERE ${after} ORDER BY m.keys, m.id LIMIT ${request.first + 1}::int
    ) p ON true
    ORDER BY p.keys, p.id`;
}

/** Every match up to CANDIDATE_CAP + 1, for pricing and paginating in TypeScript. */
export function candidatesQuery(request: SearchRequest): Prisma.Sql {
  return Prisma.sql`${matchesSelect(request)} ORDER BY keys, l.id LIMIT ${CANDIDATE_CAP + 1}::int`;
}
