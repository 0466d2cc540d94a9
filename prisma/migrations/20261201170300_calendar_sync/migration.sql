-- AlterTable
ALTER TABLE "calendar_holds" ADD COLUMN     "source_import_id" UUID;

-- CreateTable
CREATE TABLE "calendar_imports" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "listing_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_synced_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "event_count" INTEGER,

    CONSTRAINT "calendar_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_exports" (
    "listing_id" UUID NOT NULL,
    "token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calendar_exports_pkey" PRIMARY KEY ("listing_id")
);

-- CreateIndex
CREATE INDEX "calendar_imports_last_attempt_at_idx" ON "calendar_imports"("last_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_imports_listing_id_url_key" ON "calendar_imports"("listing_id", "url");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_exports_token_key" ON "calendar_exports"("token");

-- CreateIndex
CREATE INDEX "calendar_holds_source_import_id_idx" ON "calendar_holds"("source_import_id");

-- AddForeignKey
ALTER TABLE "calendar_holds" ADD CONSTRAINT "calendar_holds_source_import_id_fkey" FOREIGN KEY ("source_import_id") REFERENCES "calendar_imports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_imports" ADD CONSTRAINT "calendar_imports_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_exports" ADD CONSTRAINT "calendar_exports_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ─── Hand-written: imported blocks ──────────────────────────────────────────
-- Only blocks carry a source import.
ALTER TABLE "calendar_holds"
  ADD CONSTRAINT "calendar_holds_source_check" CHECK (source_import_id IS NULL OR kind = 'BLOCK');

-- The no-overlap rule, widened for blocks kept by calendar imports: each import keeps its own
-- blocks exactly as its feed says, so they may overlap the host's own blocks and each other's;
-- a booking still overlaps nothing, and bookings and the host's own blocks never overlap each
-- other (as before). Two holds of a listing whose nights overlap conflict when
--   * their layers overlap: a booking takes layers [1,3), a host's own block [1,2), an imported
--     block [2,3) (so a host block and an imported block never conflict), and
--   * they are not both imported: imported blocks share one id class, every other hold is its own.
-- One constraint rather than several: its GiST index still serves search's probe by
-- (listing_id, daterange) (search/conditions.ts), and a violation is still 23P01.
ALTER TABLE "calendar_holds" DROP CONSTRAINT "calendar_holds_no_overlap";
ALTER TABLE "calendar_holds"
  ADD CONSTRAINT "calendar_holds_no_overlap"
  EXCLUDE USING gist (
    listing_id WITH =,
    daterange(start_date, end_date, '[)') WITH &&,
    (CASE
       WHEN booking_id IS NOT NULL THEN int4range(1, 3)
       WHEN source_import_id IS NULL THEN int4range(1, 2)
       ELSE int4range(2, 3)
     END) WITH &&,
    (CASE WHEN source_import_id IS NULL THEN id ELSE '00000000-0000-0000-0000-000000000000'::uuid END) WITH <>
  );
