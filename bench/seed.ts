// Benchmark data in a handful of set-based statements (INSERT … SELECT generate_series, as the
// search-plan test does), one per table: listings packed around real cities, photos, amenities,
// past COMPLETED stays with published reviews, host blocks and custom prices in the weeks ahead.
// Indexes and keys are built after the rows (bulk-load.ts), then VACUUM ANALYZE.
import pg from "pg";
import { encodeGlobalId } from "../src/graphql/global-id.ts";
import { hashPassword } from "../src/modules/accounts/password.ts";
import { setAsideStructures } from "./bulk-load.ts";
import { CITIES } from "./cities.ts";
import type { City } from "./scenarios.ts";

/** Listings lie up to this far from their city's centre, denser towards it. */
const CITY_RADIUS_KM = 30;
const REVIEWERS = 200;
const LISTING_PAGE_POOL = 1_000;
const QUOTE_POOL = 10_000;
/** Listings for booking races, apart from the quote pool: at most this many rounds per run. */
export const RACE_POOL = 100;

export const BENCH_GUEST = { email: "guest@roost.bench", password: "roost-bench-password" } as const;

/** The seeded reviewers sign in with the bench guest's password: the booking scenarios' guests. */
export const benchReviewer = (n: number) => ({
  email: `reviewer-${n}@roost.bench`,
  password: BENCH_GUEST.password,
});

export interface SeedResult {
  cities: City[];
  listingPageIds: string[];
  quoteIds: string[];
  /** Disjoint from quoteIds, so a race's listing is fresh even after the booking scenario. */
  raceIds: string[];
  counts: Record<string, number>;
  seconds: number;
}

/** The tables the seed fills in bulk: their indexes and keys are built once, after the rows. */
const BULK_TABLES = [
  "listings",
  "listing_photos",
  "listing_amenities",
  "calendar_holds",
  "listing_night_prices",
  "bookings",
  "reviews",
];

export async function seedBenchData(
  url: string,
  listings: number,
  log: (message: string) => void,
): Promise<SeedResult> {
  const started = performance.now();
  const passwordHash = await hashPassword(BENCH_GUEST.password);
  const client = new pg.Client({ connectionString: url, application_name: "roost-bench-seed" });
  // An interrupt drops the database under us: the failed query reports it, this must not crash.
  client.on("error", () => undefined);
  await client.connect();
  const step = async (label: string, sql: string, values: unknown[] = []) => {
    const at = performance.now();
    const result = await client.query(sql, values);
    const rows = result.rowCount === null ? "" : `${result.rowCount} rows in `;
    log(`  ${label}: ${rows}${((performance.now() - at) / 1000).toFixed(1)} s`);
  };
  try {
    // Sorts, hash joins and index builds over millions of rows stay in memory (this session only).
    await client.query("SET work_mem = '256MB'");
    await client.query("SET maintenance_work_mem = '1GB'");
    await client.query("BEGIN");
    // One commit at the end: waiting for its WAL flush buys nothing for a scratch database.
    await client.query("SET LOCAL synchronous_commit = off");
    // Same data on every run: random() below follows this seed (one session, one statement at a time).
    await client.query("SELECT setseed(0.42)");
    const setAside = await setAsideStructures(client, BULK_TABLES);
    await step(
      "users",
      `INSERT INTO users (email, password_hash, first_name, last_name, role)
       SELECT email, $1, first_name, last_name, role::"UserRole"
       FROM (VALUES ('host@roost.bench', 'Hanna', 'Host', 'HOST'), ($2, 'Gil', 'Guest', 'GUEST')) AS u(email, first_name, last_name, role)
       UNION ALL
       SELECT 'reviewer-' || g || '@roost.bench', $1, 'Reviewer', 'No. ' || g, 'GUEST'::"UserRole"
       FROM generate_series(1, $3::int) AS g`,
      [passwordHash, BENCH_GUEST.email, REVIEWERS],
    );
    // Where each listing lies, what it costs and how many past stays it had, drawn before the
    // listings are written, so their ratings are written with them (no second pass over the table).
    await step(
      "plan: listings",
      `CREATE TEMP TABLE bench_listings ON COMMIT DROP AS
       SELECT g, gen_random_uuid() AS id, random() AS r_dist, random() AS r_angle, random() AS r_price,
              CASE WHEN random() < 0.3 THEN 1 + floor(random() * 4)::int ELSE 0 END AS stays
       FROM generate_series(1, $1::int) AS g`,
      [listings],
    );
    // 30% of listings had 1-4 past stays (60 days apart, so never overlapping), each reviewed.
    await step(
      "plan: completed stays",
      `CREATE TEMP TABLE bench_stays ON COMMIT DROP AS
       SELECT gen_random_uuid() AS booking_id, l.id AS listing_id,
              current_date - 400 + k * 60 + floor(random() * 20)::int AS check_in,
              2 + floor(random() * 5)::int AS nights,
              1 + floor(random() * ${REVIEWERS})::int AS reviewer,
              3 + floor(random() * 3)::int AS rating
       FROM bench_listings l CROSS JOIN LATERAL generate_series(1, l.stays) AS k`,
    );
    await step(
      "listings",
      `WITH cities AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS c(idx int, name text, country text, lat float8, lng float8, "timeZone" text, currency text, price int)
       ), ratings AS (
         SELECT listing_id, avg(rating)::float8 AS average, count(*)::int AS count FROM bench_stays GROUP BY listing_id
       )
       INSERT INTO listings (id, host_id, title, description, property_type, room_type, status, address_line1,
                             city, country, lat, lng, time_zone, max_guests, bedrooms, beds, bathrooms, currency,
                             nightly_price, cleaning_fee, weekly_discount_pct, monthly_discount_pct, min_nights,
                             instant_book, cancellation_policy, house_rules, rating_average, rating_count,
                             published_at, created_at)
       SELECT p.id, (SELECT id FROM users WHERE email = 'host@roost.bench'),
              'Bench stay ' || p.g || ' in ' || c.name,
              'A seeded listing for the benchmark, in ' || c.name || '. Quiet street, bright rooms, good transport.',
              (ARRAY['APARTMENT','HOUSE','GUESTHOUSE','HOTEL','CABIN','VILLA','OTHER'])[1 + p.g % 7]::"PropertyType",
              (ARRAY['ENTIRE_PLACE','ENTIRE_PLACE','PRIVATE_ROOM','SHARED_ROOM'])[1 + p.g % 4]::"RoomType",
              'LISTED', p.g || ' Bench Street', c.name, c.country,
              c.lat + ${CITY_RADIUS_KM} * p.r_dist * cos(2 * pi() * p.r_angle) / 111.32,
              c.lng + ${CITY_RADIUS_KM} * p.r_dist * sin(2 * pi() * p.r_angle) / (111.32 * cos(radians(c.lat))),
              c."timeZone", 2 + p.g % 7, p.g % 5, 1 + p.g % 5, 1 + (p.g % 3) * 0.5, c.currency,
              greatest(100, round(c.price * (0.4 + 1.6 * p.r_price))), round(c.price * 0.3),
              (p.g % 4) * 5, 10 + (p.g % 3) * 10, 1 + p.g % 3, p.g % 3 = 0,
              (ARRAY['FLEXIBLE','MODERATE','STRICT'])[1 + p.g % 3]::"CancellationPolicy",
              'No parties.', r.average, coalesce(r.count, 0),
              now() - (p.g || ' minutes')::interval, now() - (p.g || ' minutes')::interval
       FROM bench_listings p JOIN cities c ON c.idx = p.g % $2::int LEFT JOIN ratings r ON r.listing_id = p.id
       ORDER BY p.g`,
      [JSON.stringify(CITIES.map((city, idx) => ({ ...city, idx }))), CITIES.length],
    );
    await step(
      "photos (1-3 each)",
      `INSERT INTO listing_photos (listing_id, url, caption, position)
       SELECT l.id, 'https://picsum.photos/seed/roost-bench-' || l.id || '-' || n || '/1200/800',
              CASE WHEN n = 1 THEN l.title END, n - 1
       FROM (SELECT id, title, 1 + floor(random() * 3)::int AS photos FROM listings) AS l
       CROSS JOIN LATERAL generate_series(1, l.photos) AS n`,
    );
    // Drawn per listing and amenity. A plain cross join pushes the random() filter down to the
    // amenities scan and draws once per amenity (every listing had the same amenities): the
    // lateral subquery names l and OFFSET 0 keeps it from being pulled up, so it runs per listing.
    await step(
      "amenities",
      `INSERT INTO listing_amenities (listing_id, amenity_code)
       SELECT l.id, a.code FROM listings l
       CROSS JOIN LATERAL (
         SELECT code FROM amenities
         WHERE l.id IS NOT NULL
           AND random() < CASE code WHEN 'wifi' THEN 0.9 WHEN 'kitchen' THEN 0.7 WHEN 'heating' THEN 0.6 ELSE 0.12 END
         OFFSET 0
       ) AS a`,
    );
    // Before the host blocks: the bookings' calendar trigger (kept) then finds calendar_holds empty.
    await step(
      "completed stays",
      `WITH reviewers AS (
         SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'reviewer-%'
       )
       INSERT INTO bookings (id, listing_id, guest_id, host_id, status, check_in, check_out, nights, guests, currency,
                             total, quote, cancellation_policy, confirmed_at, completed_at, created_at)
       SELECT s.booking_id, l.id, r.ids[s.reviewer], l.host_id, 'COMPLETED', s.check_in, s.check_in + s.nights,
              s.nights, 2, l.currency, l.nightly_price * s.nights + l.cleaning_fee,
              -- A booking snapshot (src/modules/bookings/snapshot.ts) of a stay without fees.
              jsonb_build_object(
                'version', 1,
                'checkIn', to_char(s.check_in, 'YYYY-MM-DD'),
                'checkOut', to_char(s.check_in + s.nights, 'YYYY-MM-DD'),
                'quote', jsonb_build_object(
                  'currency', l.currency, 'nights', s.nights,
                  'nightPrices', to_jsonb(array_fill(l.nightly_price, ARRAY[s.nights])),
                  'subtotal', l.nightly_price * s.nights, 'discount', 0, 'discountPercent', 0,
                  'cleaningFee', l.cleaning_fee, 'serviceFee', 0, 'taxes', 0,
                  'total', l.nightly_price * s.nights + l.cleaning_fee,
                  'lines', jsonb_build_array(
                    jsonb_build_object('kind', 'NIGHTS', 'label', s.nights || ' nights', 'amount', l.nightly_price * s.nights),
                    jsonb_build_object('kind', 'CLEANING_FEE', 'label', 'Cleaning fee', 'amount', l.cleaning_fee))),
                'fees', jsonb_build_object('serviceFeeBps', 0, 'taxBps', 0, 'hostFeeBps', 300),
                'cancellationPolicy', l.cancellation_policy,
                'listing', jsonb_build_object('title', l.title, 'timeZone', l.time_zone,
                  'checkInTime', l.check_in_time, 'checkOutTime', l.check_out_time)),
              l.cancellation_policy,
              s.check_in - 30, s.check_in + s.nights, s.check_in - 30
       FROM bench_stays s JOIN listings l ON l.id = s.listing_id CROSS JOIN reviewers r`,
    );
    await step(
      "published reviews",
      `INSERT INTO reviews (booking_id, listing_id, author_id, subject_id, direction, rating, cleanliness, accuracy,
                            communication, location, check_in_rating, value, comment, created_at, published_at)
       SELECT b.id, b.listing_id, b.guest_id, b.host_id, 'GUEST_TO_HOST', s.rating, s.rating, s.rating, 5, 4, 5,
              s.rating, 'Seeded review: a pleasant stay, as described.', b.check_out + 1, b.check_out + 2
       FROM bench_stays s JOIN bookings b ON b.id = s.booking_id`,
    );
    // Half the listings have a host block 2-9 weeks ahead: searched dates and quotes run into them.
    await step(
      "calendar blocks",
      `WITH blocked AS MATERIALIZED (
         SELECT id, current_date + 14 + floor(random() * 50)::int AS start_date, 2 + floor(random() * 6)::int AS nights
         FROM listings WHERE random() < 0.5
       )
       INSERT INTO calendar_holds (listing_id, start_date, end_date, kind, note)
       SELECT id, start_date, start_date + nights, 'BLOCK', 'Host away' FROM blocked`,
    );
    await step(
      "custom night prices",
      `WITH priced AS MATERIALIZED (
         SELECT id, nightly_price, current_date + 14 + floor(random() * 28)::int AS first_night
         FROM listings WHERE random() < 0.1
       )
       INSERT INTO listing_night_prices (listing_id, night, amount)
       SELECT id, first_night + n, round(nightly_price * 1.25) FROM priced CROSS JOIN generate_series(0, 6) AS n`,
    );
    await setAside.restore(step);
    await client.query("COMMIT");
    // Hint bits and the visibility map set now, so neither the first scenario nor autovacuum
    // pays for the bulk load while a scenario is measured.
    await step("VACUUM ANALYZE", "VACUUM (ANALYZE)");

    const ids = async (limit: number) =>
      (
        await client.query<{ id: string }>(
          "SELECT id FROM listings WHERE status = 'LISTED' ORDER BY random() LIMIT $1",
          [limit],
        )
      ).rows.map((row) => encodeGlobalId("Listing", row.id));
    const counts = await client.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM listings) AS listings,
              (SELECT count(*)::int FROM listing_photos) AS photos,
              (SELECT count(*)::int FROM listing_amenities) AS amenities,
              (SELECT count(*)::int FROM calendar_holds) AS holds,
              (SELECT count(*)::int FROM listing_night_prices) AS "nightPrices",
              (SELECT count(*)::int FROM bookings) AS bookings,
              (SELECT count(*)::int FROM reviews) AS reviews`,
    );
    // A tenth of a small seed at most, so the quote pool keeps most of it.
    const races = Math.min(RACE_POOL, Math.floor(listings / 10));
    const raceAndQuoteIds = await ids(races + QUOTE_POOL);
    return {
      cities: CITIES.map(({ name, lat, lng }) => ({ name, lat, lng })),
      listingPageIds: await ids(LISTING_PAGE_POOL),
      quoteIds: raceAndQuoteIds.slice(races),
      raceIds: raceAndQuoteIds.slice(0, races),
      counts: counts.rows[0] ?? {},
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
