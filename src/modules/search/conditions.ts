// Search's WHERE conditions, built from Prisma.sql fragments: user values only ever travel as
// parameters. Locations are the stored cube point (listings.earth_point, earthdistance's model).
import { Prisma } from "../../generated/prisma/client.ts";
import type { SearchFilter } from "./filters.ts";
import { boundingUnitBox } from "./geo.ts";

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
export function distance(near: NonNullable<SearchFilter["near"]>): Prisma.Sql {
  return Prisma.sql`(2 * earth() * asin(least(cube_distance(${origin(near)}, ${point}) / (2 * earth()), 1)))`;
}

/**
 * No hold (booking or block) of listing `id` overlaps the stay: one probe of
 * calendar_holds_listing_id_end_date_start_date_idx, which reads only the listing's holds ending after check-in (its
 * future ones) and carries start_date, so the probe never visits the table.
 */
export function freeForStay(stay: NonNullable<SearchFilter["stay"]>, id: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (
      SELECT 1 FROM calendar_holds h
      WHERE h.listing_id = ${id} AND h.end_date > ${stay.checkIn}::date AND h.start_date < ${stay.checkOut}::date)`;
}

/**
 * The WHERE conditions, ANDed; listingTodayAt as in SearchRequest. With dates, `deferred` leaves
 * out whether the stay's nights are free (freeForStay), for a statement that checks it later.
 */
export function searchConditions(
  filter: SearchFilter,
  listingTodayAt: Date | null = null,
  availability: "checked" | "deferred" = "checked",
): Prisma.Sql {
  // A literal, not a parameter: the planner must see it to use the partial indexes.
  const conditions: Prisma.Sql[] = [Prisma.sql`l.status = 'LISTED'`];
  if (filter.near) {
    const radius = Prisma.sql`${filter.near.radiusMeters}::float8`;
    // earth_box is the indexable square around the circle; the distance trims its corners.
    conditions.push(Prisma.sql`earth_box(${origin(filter.near)}, ${radius}) @> ${point}`);
    conditions.push(Prisma.sql`${distance(filter.near)} <= ${radius}`);
  }
  if (filter.bounds) {
    const { north, south, east, west } = filter.bounds;
    const { min, max } = boundingUnitBox(filter.bounds);
    const axis = (i: 0 | 1 | 2) => Prisma.sql`${min[i]}::float8 * earth(), ${max[i]}::float8 * earth()`;
    // The 3-D box around the rectangle, for the index; latitude and longitude are the exact test.
    conditions.push(Prisma.sql`cube(cube(cube(${axis(0)}), ${axis(1)}), ${axis(2)}) @> ${point}`);
    conditions.push(Prisma.sql`l.lat BETWEEN ${south}::float8 AND ${north}::float8`);
    conditions.push(
      west <= east
        ? Prisma.sql`l.lng BETWEEN ${west}::float8 AND ${east}::float8`
        : Prisma.sql`(l.lng >= ${west}::float8 OR l.lng <= ${east}::float8)`,
    );
  }
  if (filter.stay) {
    const { checkIn, nights } = filter.stay;
    conditions.push(Prisma.sql`l.min_nights <= ${nights}::int AND l.max_nights >= ${nights}::int`);
    // The listing's local today, as quote judges it (listings_time_zone_check: PostgreSQL knows the zone).
    if (listingTodayAt) {
      conditions.push(
        Prisma.sql`(${listingTodayAt}::timestamptz AT TIME ZONE l.time_zone)::date <= ${checkIn}::date`,
      );
    }
    if (availability === "checked") conditions.push(freeForStay(filter.stay, Prisma.sql`l.id`));
  } else {
    // With dates the price filter applies to stay totals (query.ts, priced per match).
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
