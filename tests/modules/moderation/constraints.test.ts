// The moderation invariants the database keeps itself (migration 20261201170100_moderation):
// suspension causes only on SUSPENDED listings, one target per report, one OPEN report per
// reporter and target. Written straight to the tables, as a defect in code would write them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { moderationFixture, type ModerationFixture } from "./fixtures.ts";

let t: TestApp;
let f: ModerationFixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await moderationFixture(t);
});
afterAll(async () => {
  await t?.close();
});

/** The SQLSTATE a statement fails with, or undefined when it succeeds. */
async function sqlStateOf(statement: Promise<unknown>): Promise<string | undefined> {
  try {
    await statement;
    return undefined;
  } catch (error) {
    const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } }).meta
      ?.driverAdapterError?.cause?.originalCode;
    return cause ?? (error as { code?: string }).code;
  }
}

describe("listings", () => {
  it.each([
    ["a cause on a listing not SUSPENDED", `suspended_directly = true`],
    ["a status to return to on a listing not SUSPENDED", `suspended_from = 'UNLISTED'`],
    ["SUSPENDED as the status to return to", `status = 'SUSPENDED', suspended_from = 'SUSPENDED'`],
  ])("refuse %s", async (_label, set) => {
    const state = await sqlStateOf(
      t.app.db.$executeRawUnsafe(`UPDATE listings SET ${set} WHERE id = '${f.listing.id}'::uuid`),
    );
    expect(state).toBe("23514");
  });
});

describe("reports", () => {
  const insert = (columns: string, values: string) =>
    t.app.db.$executeRawUnsafe(
      `INSERT INTO reports (reporter_id, reason, ${columns}) VALUES ('${f.guest.id}'::uuid, 'why', ${values})`,
    );

  it("refuse a report whose target is not the one its type names, or names two", async () => {
    expect(await sqlStateOf(insert("target_type, review_id", `'LISTING', NULL`))).toBe("23514");
    expect(await sqlStateOf(insert("target_type, listing_id", `'USER', '${f.listing.id}'::uuid`))).toBe(
      "23514",
    );
    expect(
      await sqlStateOf(
        insert(
          "target_type, listing_id, reported_user_id",
          `'LISTING', '${f.listing.id}'::uuid, '${f.host.id}'::uuid`,
        ),
      ),
    ).toBe("23514");
  });

  it("keep one OPEN report per reporter and target, and allow another once it is closed", async () => {
    const user = `'USER', '${f.host.id}'::uuid`;
    expect(await sqlStateOf(insert("target_type, reported_user_id", user))).toBeUndefined();
    expect(await sqlStateOf(insert("target_type, reported_user_id", user))).toBe("23505");
    await t.app.db.$executeRawUnsafe(
      `UPDATE reports SET status = 'DISMISSED', resolved_at = now() WHERE reported_user_id = '${f.host.id}'::uuid`,
    );
    expect(await sqlStateOf(insert("target_type, reported_user_id", user))).toBeUndefined();
  });

  it("refuse a closed report without its resolution time", async () => {
    expect(
      await sqlStateOf(
        insert("target_type, listing_id, status", `'LISTING', '${f.listing.id}'::uuid, 'RESOLVED'`),
      ),
    ).toBe("23514");
  });
});
