-- Search's per-row values stored and indexed (issue 14). Hand-written: Prisma's schema language has
-- no generated columns, and partial indexes are invisible to its diff (schema.prisma declares the
-- two columns with @default(dbgenerated()), which Prisma never migrates nor writes). Adding a stored
-- generated column rewrites the table under an ACCESS EXCLUSIVE lock.

-- ─── Hand-written: stored generated columns ─────────────────────────────────
-- earth_point is ll_to_earth(lat, lng) as a cube, written out: ll_to_earth and earth() are
-- SQL-language functions, whose bodies are parsed at run time under the session's search_path
-- (pg_restore empties it, so a restore would fail to compute the column). cube() is C, bound by OID
-- here; 6378168 is earth(). Equal to ll_to_earth(lat, lng)::cube (tests/infra/migrations.test.ts).
-- A cube, not an earth (a domain whose CHECK calls earth()), for the same reason.
--
-- relevance_score is RELEVANCE's Bayesian score, exactly the expression search computed per row:
-- the rating average pulled toward RELEVANCE_PRIOR_MEAN (4) by RELEVANCE_PRIOR_WEIGHT (3) virtual
-- reviews (src/modules/search/query.ts; 12 = 3 × 4), × 1000, rounded as round(float8) rounds.
ALTER TABLE "listings"
  ADD COLUMN "earth_point" cube NOT NULL GENERATED ALWAYS AS (
    cube(cube(cube('6378168'::float8 * cos(radians(lat)) * cos(radians(lng))),
                   '6378168'::float8 * cos(radians(lat)) * sin(radians(lng))),
              '6378168'::float8 * sin(radians(lat)))
  ) STORED,
  ADD COLUMN "relevance_score" INTEGER NOT NULL GENERATED ALWAYS AS (
    round((rating_count * coalesce(rating_average, 0) + 12::float8) / (rating_count + 3) * 1000)::integer
  ) STORED;

-- ─── Hand-written: search indexes, over LISTED listings only ────────────────
-- The location index moves from the ll_to_earth(lat, lng) expression to the stored point.
DROP INDEX "listings_location_idx";
CREATE INDEX "listings_location_idx" ON "listings" USING gist ("earth_point") WHERE status = 'LISTED';

-- One btree per walkable sort, in its keyset order (the sort's columns, then id, one direction):
-- a page with many matches reads them in order and stops after first + 1 rows.
CREATE INDEX "listings_relevance_order_idx" ON "listings" ("relevance_score", "created_at", "id")
  WHERE status = 'LISTED';
CREATE INDEX "listings_newest_order_idx" ON "listings" ("created_at", "id") WHERE status = 'LISTED';
CREATE INDEX "listings_price_order_idx" ON "listings" ("nightly_price", "id") WHERE status = 'LISTED';
CREATE INDEX "listings_rating_order_idx" ON "listings" ((coalesce(rating_average, 0)), "rating_count", "id")
  WHERE status = 'LISTED';
