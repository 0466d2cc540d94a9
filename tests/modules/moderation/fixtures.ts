// Fixtures shared by the moderation tests: an admin beside a stay's host and guest, reading the
// audit log straight from the table, and a way to make a write fail late inside its transaction.
import type { TestApp } from "../../helpers/app.ts";
import { type Stay, stayFixture } from "../../helpers/bookings.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import type { Prisma } from "../../../src/generated/prisma/client.ts";

export interface ModerationFixture extends Stay {
  admin: TestUser;
}

export async function moderationFixture(
  t: TestApp,
  listing: Partial<Prisma.ListingUncheckedCreateInput> = {},
): Promise<ModerationFixture> {
  const [stay, admin] = await Promise.all([stayFixture(t, listing), factories(t).user().admin().create()]);
  return { ...stay, admin };
}

/** The audit rows about an entity, oldest first. */
export const auditRowsOf = (t: TestApp, entityId: string) =>
  t.app.db.auditLog.findMany({ where: { entityId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

/**
 * Makes every notification insert for `userId` fail, so a use case that notifies them fails after
 * it has written its change and its audit row: what commits then shows the transaction is one.
 * Returns the undo.
 */
export async function failNotificationsFor(t: TestApp, userId: string): Promise<() => Promise<void>> {
  const name = `fail_notify_${userId.replace(/-/g, "")}`;
  await t.app.db.$executeRawUnsafe(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'notifications refused by the test'; END $$`);
  await t.app.db.$executeRawUnsafe(`
    CREATE TRIGGER ${name} BEFORE INSERT ON notifications
    FOR EACH ROW WHEN (NEW.user_id = '${userId}'::uuid) EXECUTE FUNCTION ${name}()`);
  return async () => {
    await t.app.db.$executeRawUnsafe(`DROP TRIGGER ${name} ON notifications`);
    await t.app.db.$executeRawUnsafe(`DROP FUNCTION ${name}()`);
  };
}

export const reason = "Listing photos are of another property (ticket 4711).";
