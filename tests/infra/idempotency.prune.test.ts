// Pruning expired idempotency keys: the function, and its task and schedule on a real worker.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idempotencyCronItems, idempotencyTasks, pruneIdempotencyKeys } from "../../src/infra/idempotency.ts";
import { addJob } from "../../src/infra/jobs.ts";
import { startWorker } from "../../src/infra/worker.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { factories } from "../helpers/factories.ts";
import { jobsCompleted } from "../helpers/jobs.ts";

let t: TestApp;
let userId: string;
beforeAll(async () => {
  t = await startTestApp();
  userId = (await factories(t).user().create()).id;
});
afterAll(() => t.close());

/** Three keys for the user: expired a millisecond before `now`, expiring at `now`, and later. */
async function seedKeys(now: Date): Promise<{ expired: string; boundary: string; live: string }> {
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const keys = { expired: randomUUID(), boundary: randomUUID(), live: randomUUID() };
  const row = (key: string, expiresAt: Date) => ({
    userId,
    key,
    operation: "requestBooking",
    requestHash: "0".repeat(64),
    response: { value: key },
    completedAt: at(-60_000),
    createdAt: at(-60_000),
    expiresAt,
  });
  await t.app.db.idempotencyKey.createMany({
    data: [row(keys.expired, at(-1)), row(keys.boundary, now), row(keys.live, at(3_600_000))],
  });
  return keys;
}

const remainingKeys = async (keys: Record<string, string>) =>
  (
    await t.app.db.idempotencyKey.findMany({
      where: { userId, key: { in: Object.values(keys) } },
      select: { key: true },
    })
  ).map((row) => row.key);

describe("pruneIdempotencyKeys", () => {
  it("deletes only keys past their expiry", async () => {
    const now = new Date("2031-06-01T12:00:00.000Z");
    const keys = await seedKeys(now);
    expect(await pruneIdempotencyKeys(t.app.db, now)).toBe(1);
    expect((await remainingKeys(keys)).sort()).toEqual([keys.boundary, keys.live].sort());
    expect(await pruneIdempotencyKeys(t.app.db, now)).toBe(0);
  });
});

describe("idempotency_prune on the worker", () => {
  it("runs as a job, and its schedule reaches graphile-worker's cron", async () => {
    // The worker prunes by the app's clock, a little after seeding: both past keys have expired.
    const keys = await seedKeys(new Date(t.app.clock.now().getTime() - 60_000));
    const runner = await startWorker(t.app, {
      connectionString: t.database.url,
      concurrency: 1,
      pollInterval: 200,
      tasks: idempotencyTasks(t.app),
      crontab: idempotencyCronItems,
      heartbeatTimeoutMs: t.app.config.workerHeartbeatTimeoutMs,
    });
    try {
      const done = jobsCompleted(runner, 1, (job) => job.task_identifier === "idempotency_prune");
      await addJob(t.app.db, "idempotency_prune", {});
      await done;
      expect(await remainingKeys(keys)).toEqual([keys.live]);

      // Cron records each schedule it runs in its known_crontabs table when it starts.
      let known: string[] = [];
      for (let attempt = 0; attempt < 50 && known.length === 0; attempt++) {
        known = (
          await t.app.db.$queryRaw<Array<{ identifier: string }>>`
            SELECT identifier FROM graphile_worker._private_known_crontabs`
        ).map((row) => row.identifier);
        if (known.length === 0) await sleep(100);
      }
      expect(known).toEqual(["idempotency_prune"]);
    } finally {
      await runner.stop();
    }
  });
});
