-- DropIndex
DROP INDEX "messages_conversation_id_created_at_idx";

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "guest_id" UUID NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "conversations_guest_id_listing_id_key" ON "conversations"("guest_id", "listing_id");

-- CreateIndex
CREATE INDEX "messages_conversation_id_created_at_id_idx" ON "messages"("conversation_id", "created_at", "id");

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_guest_id_fkey" FOREIGN KEY ("guest_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written
-- A message says something: 1 to 5,000 characters (sendMessage trims and checks first).
ALTER TABLE "messages" ADD CONSTRAINT "messages_body_length" CHECK (char_length(body) BETWEEN 1 AND 5000);
