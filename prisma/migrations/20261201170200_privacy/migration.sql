-- CreateEnum
CREATE TYPE "DataExportStatus" AS ENUM ('PENDING', 'READY', 'DOWNLOADED', 'EXPIRED', 'FAILED');

-- AlterTable
ALTER TABLE "email_outbox" ADD COLUMN     "notification_id" UUID;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "data_exports" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "status" "DataExportStatus" NOT NULL DEFAULT 'PENDING',
    "token_hash" TEXT,
    "archive" JSON,
    "size_bytes" INTEGER,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "downloaded_at" TIMESTAMPTZ(3),

    CONSTRAINT "data_exports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "data_exports_token_hash_key" ON "data_exports"("token_hash");

-- CreateIndex
CREATE INDEX "data_exports_user_id_requested_at_idx" ON "data_exports"("user_id", "requested_at");

-- CreateIndex
CREATE INDEX "data_exports_status_expires_at_idx" ON "data_exports"("status", "expires_at");

-- CreateIndex
CREATE INDEX "email_outbox_notification_id_idx" ON "email_outbox"("notification_id");

-- AddForeignKey
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_exports" ADD CONSTRAINT "data_exports_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ─── Hand-written: data exports ─────────────────────────────────────────────
-- One export in flight per user: of concurrent exportMyData calls exactly one inserts (23505 for
-- the others, answered RATE_LIMITED). Partial indexes are invisible to Prisma's diff.
CREATE UNIQUE INDEX "data_exports_one_pending_per_user" ON "data_exports" ("user_id") WHERE status = 'PENDING';

-- An archive and its link exist only while the export is READY; a ready export has both and an expiry.
ALTER TABLE "data_exports"
  ADD CONSTRAINT "data_exports_archive_check" CHECK ((archive IS NOT NULL) = (status = 'READY')),
  ADD CONSTRAINT "data_exports_ready_check"
    CHECK (status <> 'READY' OR (token_hash IS NOT NULL AND expires_at IS NOT NULL AND ready_at IS NOT NULL));

-- ─── Hand-written: nothing new for a deleted account ────────────────────────
-- deleteMyAccount erases a user in one transaction that holds their row FOR UPDATE. A request that
-- was authenticated just before (its session is revoked only at that commit) could still write a
-- booking, message, review, listing, wishlist or conversation for them afterwards. Each of those
-- inserts first takes a KEY SHARE lock on the users it names (as its foreign key would, but before
-- the row is written): it waits for a deletion in progress and, once that commits, sees deleted_at
-- and is refused; a deletion that starts later waits for it and then sees the row, and refuses
-- (live bookings) or erases it. SQLSTATE 23503: the user the row names no longer exists.
CREATE FUNCTION "refuse_rows_of_deleted_users"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  fields jsonb := to_jsonb(NEW);
  user_column text;
  deleted timestamptz;
BEGIN
  FOREACH user_column IN ARRAY TG_ARGV LOOP
    CONTINUE WHEN fields ->> user_column IS NULL;
    SELECT deleted_at INTO deleted FROM users WHERE id = (fields ->> user_column)::uuid FOR KEY SHARE;
    IF deleted IS NOT NULL THEN
      RAISE EXCEPTION 'user % of % has deleted their account', fields ->> user_column, TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "bookings_refuse_deleted_users" BEFORE INSERT ON "bookings"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('guest_id', 'host_id');
CREATE TRIGGER "messages_refuse_deleted_users" BEFORE INSERT ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('sender_id');
CREATE TRIGGER "reviews_refuse_deleted_users" BEFORE INSERT ON "reviews"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('author_id');
CREATE TRIGGER "listings_refuse_deleted_users" BEFORE INSERT ON "listings"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('host_id');
CREATE TRIGGER "wishlists_refuse_deleted_users" BEFORE INSERT ON "wishlists"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('user_id');
CREATE TRIGGER "conversations_refuse_deleted_users" BEFORE INSERT ON "conversations"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('guest_id');
CREATE TRIGGER "data_exports_refuse_deleted_users" BEFORE INSERT ON "data_exports"
  FOR EACH ROW EXECUTE FUNCTION "refuse_rows_of_deleted_users"('user_id');
