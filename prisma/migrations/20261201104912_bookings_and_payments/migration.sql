-- CreateEnum
CREATE TYPE "RefundStatus" AS ENUM ('PENDING', 'SUCCEEDED');

-- CreateEnum
CREATE TYPE "PaymentAttemptStatus" AS ENUM ('OPEN', 'ATTACHED', 'VOIDED', 'FAILED');

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "dedupe_key" TEXT;

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "captured_at" TIMESTAMPTZ(3),
ADD COLUMN     "voided_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "failure_reason" TEXT,
ADD COLUMN     "fee" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "provider_ref" TEXT,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "breakdown" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "status" "RefundStatus" NOT NULL DEFAULT 'PENDING',
ADD COLUMN     "succeeded_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "payment_attempts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "booking_id" UUID NOT NULL,
    "guest_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "status" "PaymentAttemptStatus" NOT NULL DEFAULT 'OPEN',
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "provider_ref" TEXT,
    "failure_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_provider_events" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_provider_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "builtin_payment_charges" (
    "id" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "captured" BIGINT NOT NULL DEFAULT 0,
    "refunded" BIGINT NOT NULL DEFAULT 0,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "builtin_payment_charges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "builtin_payment_operations" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "charge_id" TEXT,
    "result" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "builtin_payment_operations_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "payment_attempts_booking_id_key" ON "payment_attempts"("booking_id");

-- CreateIndex
CREATE INDEX "payment_attempts_status_created_at_idx" ON "payment_attempts"("status", "created_at");

-- CreateIndex
CREATE INDEX "builtin_payment_operations_charge_id_idx" ON "builtin_payment_operations"("charge_id");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_dedupe_key_key" ON "notifications"("dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "payouts_provider_ref_key" ON "payouts"("provider_ref");

-- CreateIndex
CREATE INDEX "refunds_status_created_at_idx" ON "refunds"("status", "created_at");

-- ─── Hand-written: CHECK constraints ────────────────────────────────────────
ALTER TABLE "payouts"
  ADD CONSTRAINT "payouts_fee_check" CHECK (fee >= 0);

ALTER TABLE "payment_attempts"
  ADD CONSTRAINT "payment_attempts_amount_check" CHECK (amount > 0),
  ADD CONSTRAINT "payment_attempts_currency_check" CHECK (currency ~ '^[A-Z]{3}$');

ALTER TABLE "builtin_payment_charges"
  ADD CONSTRAINT "builtin_payment_charges_amounts_check"
    CHECK (0 <= refunded AND refunded <= captured AND captured <= amount);

-- ─── Hand-written: a ledger that balances ───────────────────────────────────
-- Every journal (the entries sharing a journal_id) sums to zero per currency. Checked at
-- commit by a deferred constraint trigger, so a journal is written entry by entry and a
-- transaction that leaves one unbalanced fails as a whole (P0001, the journal named): a defect,
-- never a user's error, so it is not a CHECK violation (which maps to BAD_USER_INPUT).
CREATE FUNCTION "ledger_journal_balanced"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  unbalanced RECORD;
BEGIN
  SELECT currency, sum(amount) AS balance INTO unbalanced
    FROM ledger_entries
   WHERE journal_id = NEW.journal_id
   GROUP BY currency
  HAVING sum(amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger journal % does not balance: % % off', NEW.journal_id, unbalanced.balance, unbalanced.currency
      USING ERRCODE = 'raise_exception';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "ledger_journal_balanced"
  AFTER INSERT ON "ledger_entries"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION "ledger_journal_balanced"();

-- The ledger is append-only: a correction is a new journal, never an edit.
CREATE FUNCTION "ledger_entries_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "ledger_entries_append_only"
  BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entries_append_only"();
