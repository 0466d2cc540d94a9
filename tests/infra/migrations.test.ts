// The committed migrations reproduce schema.prisma, apply once, and carry the invariants Prisma cannot express.
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import {
  applyMigrations,
  checksumMatches,
  listMigrations,
  migrationChecksum,
} from "../../src/infra/migrations.ts";
import {
  diffDatabaseAgainstSchema,
  emptyFilters,
  loadMigrationsList,
  openSchemaEngine,
  pgTargetFromUrl,
} from "../../src/infra/schema-engine.ts";
import { RELEVANCE_PRIOR_MEAN, RELEVANCE_PRIOR_WEIGHT } from "../../src/modules/search/query.ts";
import { withClient, withScratchDatabase } from "../helpers/database.ts";

/** A temporary migrations folder holding the given migrations. */
async function withMigrationsDir<T>(
  files: Record<string, string>,
  run: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "roost-migrations-"));
  try {
    for (const [name, sql] of Object.entries(files)) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, "migration.sql"), sql);
    }
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A migrated database with a host, a guest and one listing. */
async function withFixtures<T>(
  run: (client: pg.Client, ids: { host: string; guest: string; listing: string }) => Promise<T>,
): Promise<T> {
  return withScratchDatabase(async (db) => {
    await applyMigrations({ connectionString: db.url });
    return withClient(db.url, async (client) => {
      const user = async (email: string) =>
        (
          await client.query<{ id: string }>(
            `INSERT INTO users (email, password_hash, first_name, last_name) VALUES ($1, 'x', 'A', 'B') RETURNING id`,
            [email],
          )
        ).rows[0]!.id;
      const host = await user("host@example.com");
      const guest = await user("guest@example.com");
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO listings (host_id, title, property_type, room_type, address_line1, city, country, lat, lng,
                               max_guests, currency, nightly_price)
         VALUES ($1, 'Loft', 'APARTMENT', 'ENTIRE_PLACE', '1 Main St', 'Lisbon', 'PT', 38.7, -9.1, 2, 'EUR', 10000)
         RETURNING id`,
        [host],
      );
      return run(client, { host, guest, listing: rows[0]!.id });
    });
  });
}

const sqlState = (error: unknown): string | undefined => (error as { code?: string }).code;

async function expectSqlState(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected SQLSTATE ${code}`).toBeDefined();
  expect(sqlState(error)).toBe(code);
}

describe("committed migrations", () => {
  it("reproduce schema.prisma exactly on a fresh database (empty diff)", async () => {
    const committed = await listMigrations();
    expect(committed.length).toBeGreaterThan(0);
    await withScratchDatabase(async (db) => {
      const { applied } = await applyMigrations({ connectionString: db.url });
      expect(applied).toEqual(committed.map((migration) => migration.name));

      const diff = await diffDatabaseAgainstSchema({ target: pgTargetFromUrl(db.url) });
      expect(diff.empty, `schema.prisma and prisma/migrations disagree:\n${diff.script}`).toBe(true);

      // Recorded as `prisma migrate deploy` records them.
      const rows = await withClient(
        db.url,
        async (client) =>
          (
            await client.query(
              `SELECT id, checksum, migration_name, logs, rolled_back_at, finished_at, applied_steps_count
               FROM _prisma_migrations ORDER BY started_at`,
            )
          ).rows,
      );
      expect(rows).toEqual(
        committed.map((migration) => ({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          checksum: migration.checksum,
          migration_name: migration.name,
          logs: null,
          rolled_back_at: null,
          finished_at: expect.any(Date),
          applied_steps_count: 1,
        })),
      );
    });
  });

  it("leave a state Prisma's own engine accepts as applied", async () => {
    await withScratchDatabase(async (db) => {
      await applyMigrations({ connectionString: db.url });
      const migrationsList = await loadMigrationsList();
      const handle = await openSchemaEngine({ target: pgTargetFromUrl(db.url) });
      try {
        expect(
          await handle.engine.diagnoseMigrationHistory({
            migrationsList,
            optInToShadowDatabase: false,
            filters: emptyFilters,
          }),
        ).toEqual({
          editedMigrationNames: [],
          failedMigrationNames: [],
          hasMigrationsTable: true,
          history: null,
        });
        // What `prisma migrate deploy` runs: nothing left to apply.
        expect(await handle.engine.applyMigrations({ migrationsList, filters: emptyFilters })).toEqual({
          appliedMigrationNames: [],
        });
      } finally {
        await handle.close();
      }
    });
  });

  it("apply once: a second run is a no-op and concurrent runs migrate once", async () => {
    const names = (await listMigrations()).map((migration) => migration.name);
    await withScratchDatabase(async (db) => {
      const runs = await Promise.all([1, 2, 3].map(() => applyMigrations({ connectionString: db.url })));
      expect(runs.flatMap((run) => run.applied).sort()).toEqual(names);
      expect(await applyMigrations({ connectionString: db.url })).toEqual({ applied: [] });
      const count = await withClient(db.url, async (client) =>
        Number((await client.query("SELECT count(*) AS n FROM _prisma_migrations")).rows[0].n),
      );
      expect(count).toBe(names.length);
    });
  });

  it("refuses an applied migration whose file changed", async () => {
    const first = "CREATE TABLE a (id int);\n";
    await withMigrationsDir({ "20240101000000_a": first }, async (migrationsDir) =>
      withScratchDatabase(async (db) => {
        await applyMigrations({ connectionString: db.url, migrationsDir });
        await appendFile(
          join(migrationsDir, "20240101000000_a", "migration.sql"),
          "ALTER TABLE a ADD b int;\n",
        );
        await expect(applyMigrations({ connectionString: db.url, migrationsDir })).rejects.toThrow(
          /modified afterwards: 20240101000000_a/,
        );
      }),
    );
  });

  it("records a failed migration, rolls it back, and refuses to go on until it is resolved", async () => {
    const files = {
      "20240101000000_ok": `CREATE TABLE t (id int);
DO $$ BEGIN IF (SELECT count(*) FROM t) = 0 THEN INSERT INTO t VALUES (1); END IF; END $$;`,
      "20240102000000_bad": "CREATE TABLE u (id int);\nSELECT no_such_function();\n",
    };
    await withMigrationsDir(files, async (migrationsDir) =>
      withScratchDatabase(async (db) => {
        const run = () => applyMigrations({ connectionString: db.url, migrationsDir });
        await expect(run()).rejects.toThrow(/20240102000000_bad failed and was rolled back/);
        await withClient(db.url, async (client) => {
          expect(
            (await client.query("SELECT to_regclass('u') AS u, (SELECT count(*) FROM t) AS n")).rows[0],
          ).toEqual({
            u: null,
            n: "1",
          });
          const failed = await client.query(
            "SELECT logs, finished_at FROM _prisma_migrations WHERE migration_name = '20240102000000_bad'",
          );
          expect(failed.rows).toEqual([
            { logs: expect.stringContaining("no_such_function"), finished_at: null },
          ]);
        });
        await expect(run()).rejects.toThrow(/failed migrations are recorded/);
      }),
    );
  });

  it("compares checksums the way Prisma does", () => {
    const sql = "SELECT 1;\nSELECT 2;\n";
    expect(migrationChecksum(sql)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumMatches(sql, migrationChecksum(sql))).toBe(true);
    expect(checksumMatches(sql.replaceAll("\n", "\r\n"), migrationChecksum(sql))).toBe(true);
    expect(checksumMatches(`${sql} `, migrationChecksum(sql))).toBe(false);
  });
});

describe("invariants in the migrations", () => {
  it("calendar_holds_no_overlap refuses overlapping holds and allows adjacent ones", async () => {
    await withFixtures(async (client, { listing }) => {
      const constraint = await client.query(
        "SELECT contype FROM pg_constraint WHERE conname = 'calendar_holds_no_overlap'",
      );
      expect(constraint.rows).toEqual([{ contype: "x" }]);

      const block = (start: string, end: string) =>
        client.query(
          "INSERT INTO calendar_holds (listing_id, start_date, end_date, kind) VALUES ($1, $2, $3, 'BLOCK')",
          [listing, start, end],
        );
      await block("2030-01-01", "2030-01-04");
      await expectSqlState(block("2030-01-03", "2030-01-05"), "23P01");
      await block("2030-01-04", "2030-01-06");
    });
  });

  it("the bookings trigger holds PENDING/CONFIRMED dates and frees them on cancel", async () => {
    await withFixtures(async (client, { host, guest, listing }) => {
      const book = async (checkIn: string, checkOut: string) =>
        (
          await client.query<{ id: string }>(
            `INSERT INTO bookings (listing_id, guest_id, host_id, status, check_in, check_out, nights, guests,
                                   currency, total, quote, cancellation_policy)
             VALUES ($1, $2, $3, 'PENDING', $4::date, $5::date, $5::date - $4::date, 1, 'EUR', 30000, '{}', 'MODERATE')
             RETURNING id`,
            [listing, guest, host, checkIn, checkOut],
          )
        ).rows[0]!.id;
      const holds = async () =>
        (
          await client.query(
            "SELECT kind, booking_id, to_char(start_date, 'YYYY-MM-DD') AS start, to_char(end_date, 'YYYY-MM-DD') AS end FROM calendar_holds ORDER BY start_date",
          )
        ).rows;

      const first = await book("2030-02-01", "2030-02-04");
      expect(await holds()).toEqual([
        { kind: "BOOKING", booking_id: first, start: "2030-02-01", end: "2030-02-04" },
      ]);

      await expectSqlState(book("2030-02-03", "2030-02-06"), "23P01");

      await client.query("UPDATE bookings SET status = 'CANCELLED' WHERE id = $1", [first]);
      expect(await holds()).toEqual([]);
      const second = await book("2030-02-03", "2030-02-06");
      expect(await holds()).toEqual([
        { kind: "BOOKING", booking_id: second, start: "2030-02-03", end: "2030-02-06" },
      ]);
    });
  });

  it("CHECK constraints refuse bad rows", async () => {
    await withFixtures(async (client, { host, guest, listing }) => {
      await expectSqlState(
        client.query(
          "INSERT INTO users (email, password_hash, first_name, last_name) VALUES ('Someone@Example.com', 'x', 'A', 'B')",
        ),
        "23514",
      );
      const booking = (
        await client.query<{ id: string }>(
          `INSERT INTO bookings (listing_id, guest_id, host_id, status, check_in, check_out, nights, guests,
                                 currency, total, quote, cancellation_policy)
           VALUES ($1, $2, $3, 'COMPLETED', '2030-03-01', '2030-03-03', 2, 1, 'EUR', 20000, '{}', 'FLEXIBLE')
           RETURNING id`,
          [listing, guest, host],
        )
      ).rows[0]!.id;
      await expectSqlState(
        client.query(
          `INSERT INTO payments (booking_id, provider, method, status, currency, amount)
           VALUES ($1, 'stripe', 'card', 'AUTHORIZED', 'EUR', -1)`,
          [booking],
        ),
        "23514",
      );
      await expectSqlState(
        client.query(
          `INSERT INTO reviews (booking_id, listing_id, author_id, subject_id, direction, rating, comment)
           VALUES ($1, $2, $3, $4, 'GUEST_TO_HOST', 6, 'Too good')`,
          [booking, listing, guest, host],
        ),
        "23514",
      );
    });
  });

  it("money totals are BIGINT with their CHECKs kept; one night's prices stay under the cap", async () => {
    await withFixtures(async (client, { host, guest, listing }) => {
      const types = await client.query(
        `SELECT table_name || '.' || column_name AS "column", data_type AS type FROM information_schema.columns
         WHERE (table_name, column_name) IN (('bookings', 'total'), ('payments', 'amount'), ('payments', 'captured'),
           ('payments', 'refunded'), ('refunds', 'amount'), ('ledger_entries', 'amount'), ('payouts', 'amount'),
           ('listings', 'nightly_price'), ('listings', 'cleaning_fee'), ('listing_night_prices', 'amount'))
         ORDER BY 1`,
      );
      expect(types.rows).toEqual([
        { column: "bookings.total", type: "bigint" },
        { column: "ledger_entries.amount", type: "bigint" },
        { column: "listing_night_prices.amount", type: "integer" },
        { column: "listings.cleaning_fee", type: "integer" },
        { column: "listings.nightly_price", type: "integer" },
        { column: "payments.amount", type: "bigint" },
        { column: "payments.captured", type: "bigint" },
        { column: "payments.refunded", type: "bigint" },
        { column: "payouts.amount", type: "bigint" },
        { column: "refunds.amount", type: "bigint" },
      ]);

      // Past 2^31: a year at the top nightly price of a large-number currency.
      const total = "182500000000";
      const booking = (
        await client.query<{ id: string }>(
          `INSERT INTO bookings (listing_id, guest_id, host_id, status, check_in, check_out, nights, guests,
                                 currency, total, quote, cancellation_policy)
           VALUES ($1, $2, $3, 'COMPLETED', '2030-04-01', '2031-04-01', 365, 1, 'VND', $4, '{}', 'FLEXIBLE')
           RETURNING id`,
          [listing, guest, host, total],
        )
      ).rows[0]!.id;
      await client.query(
        `INSERT INTO payments (booking_id, provider, method, status, currency, amount, captured, refunded)
         VALUES ($1, 'builtin', 'card', 'CAPTURED', 'VND', $2, $2, 0)`,
        [booking, total],
      );
      await expectSqlState(
        client.query("UPDATE payments SET refunded = captured + 1 WHERE booking_id = $1", [booking]),
        "23514",
      );

      const setListing = (column: string, value: unknown) =>
        client.query(`UPDATE listings SET ${column} = $2 WHERE id = $1`, [listing, value]);
      await setListing("nightly_price", 500_000_000);
      await expectSqlState(setListing("nightly_price", 500_000_001), "23514");
      await expectSqlState(setListing("nightly_price", 0), "23514");
      await expectSqlState(setListing("cleaning_fee", 500_000_001), "23514");
      await expectSqlState(
        client.query(
          "INSERT INTO listing_night_prices (listing_id, night, amount) VALUES ($1, '2030-01-01', 500000001)",
          [listing],
        ),
        "23514",
      );
      // Search reads "today" AT TIME ZONE time_zone: a zone PostgreSQL does not know is refused.
      await setListing("time_zone", "Pacific/Kiritimati");
      await expectSqlState(setListing("time_zone", "Mars/Olympus_Mons"), "22023");
    });
  });

  it("search's stored columns follow their inputs: earth_point is ll_to_earth, relevance_score the prior's score", async () => {
    await withFixtures(async (client, { listing }) => {
      const stored = async () =>
        (
          await client.query<{ same_point: boolean; score: number; expected: number }>(
            `SELECT earth_point = ll_to_earth(lat, lng)::cube AS same_point, relevance_score AS score,
                    round((rating_count * coalesce(rating_average, 0) + $2::float8) / (rating_count + $3::int) * 1000) AS expected
             FROM listings WHERE id = $1`,
            [listing, RELEVANCE_PRIOR_WEIGHT * RELEVANCE_PRIOR_MEAN, RELEVANCE_PRIOR_WEIGHT],
          )
        ).rows[0]!;
      // A new listing starts at the prior.
      expect(await stored()).toEqual({
        same_point: true,
        score: RELEVANCE_PRIOR_MEAN * 1000,
        expected: 4000,
      });

      // A new rating moves the score (as the reviews module writes it).
      await client.query("UPDATE listings SET rating_average = 4.8, rating_count = 40 WHERE id = $1", [
        listing,
      ]);
      const rated = await stored();
      expect(rated.score).toBe(rated.expected);
      expect(rated.score).toBe(Math.round(((40 * 4.8 + 12) / 43) * 1000));

      // Moving the listing moves its point: a radius search finds it at the new place only.
      const within = (lat: number, lng: number) =>
        client
          .query<{ found: boolean }>(
            `SELECT earth_box(ll_to_earth($2, $3), 1000) @> earth_point AS found FROM listings WHERE id = $1`,
            [listing, lat, lng],
          )
          .then((result) => result.rows[0]!.found);
      expect(await within(38.7, -9.1)).toBe(true);
      await client.query("UPDATE listings SET lat = -33.87, lng = 151.21 WHERE id = $1", [listing]);
      expect((await stored()).same_point).toBe(true);
      expect(await within(38.7, -9.1)).toBe(false);
      expect(await within(-33.87, 151.21)).toBe(true);

      // Generated: nobody writes them.
      await expectSqlState(
        client.query("UPDATE listings SET relevance_score = 1 WHERE id = $1", [listing]),
        "428C9",
      );

      // The equality holds at the poles, the antimeridian and in between.
      const mismatches = await client.query(
        `SELECT lat, lng FROM generate_series(-90, 90, 7.5) AS lat, generate_series(-180, 180, 11.25) AS lng
         WHERE cube(cube(cube('6378168'::float8 * cos(radians(lat)) * cos(radians(lng))),
                              '6378168'::float8 * cos(radians(lat)) * sin(radians(lng))),
                         '6378168'::float8 * sin(radians(lat))) <> ll_to_earth(lat, lng)::cube`,
      );
      expect(mismatches.rows).toEqual([]);
    });
  });

  it("search's partial indexes exist over LISTED listings (invisible to Prisma's diff)", async () => {
    await withFixtures(async (client) => {
      const { rows } = await client.query<{ name: string; definition: string }>(
        `SELECT indexname AS name, regexp_replace(indexdef, '^.* USING ', '') AS definition FROM pg_indexes
         WHERE tablename = 'listings' AND indexdef LIKE '%WHERE%' ORDER BY indexname`,
      );
      const listed = `WHERE (status = 'LISTED'::"ListingStatus")`;
      expect(rows).toEqual([
        {
          name: "listings_location_idx",
          definition:
            "gist (earth_point) INCLUDE (id, currency, nightly_price, cleaning_fee, weekly_discount_pct, " +
            `monthly_discount_pct, min_nights, max_nights, max_guests, relevance_score, created_at) ${listed}`,
        },
        { name: "listings_newest_order_idx", definition: `btree (created_at, id) ${listed}` },
        { name: "listings_price_order_idx", definition: `btree (nightly_price, id) ${listed}` },
        {
          name: "listings_rating_order_idx",
          definition: `btree (COALESCE(rating_average, (0)::double precision), rating_count, id) ${listed}`,
        },
        {
          name: "listings_relevance_order_idx",
          definition: `btree (relevance_score, created_at, id) ${listed}`,
        },
      ]);
    });
  });
});
