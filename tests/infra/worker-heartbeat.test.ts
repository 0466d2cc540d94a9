// Worker heartbeats and the sweeper (src/infra/worker-heartbeat.ts) on real PostgreSQL: a live
// pool's row, which jobs the sweep hands back (dead pools', silent lock holders') and which it
// leaves alone (live pools', fresh locks), and a live worker picking up a dead one's job.
// tests/scale/two-instances.test.ts does the same with a real process killed by SIGKILL.
import { hostname } from "node:os";
import type { Task } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addJob } from "../../src/infra/jobs.ts";
import { startWorker, type WorkerRunner } from "../../src/infra/worker.ts";
import { sweepDeadWorkers } from "../../src/infra/worker-heartbeat.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { jobsCompleted } from "../helpers/jobs.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface HeartbeatRow {
  workerId: string;
  hostname: string;
  pid: number;
  lastSeenAt: Date;
}
const heartbeatOf = async (workerId: string): Promise<HeartbeatRow | undefined> =>
  (
    await t.app.db.$queryRaw<HeartbeatRow[]>`
      SELECT worker_id AS "workerId", hostname, pid, last_seen_at AS "lastSeenAt"
      FROM worker_heartbeats WHERE worker_id = ${workerId}`
  )[0];

/** A queued job of `task`, locked by `workerId` as if that pool took it `ageSeconds` ago. */
async function lockedJob(task: string, workerId: string, ageSeconds: number): Promise<string> {
  const key = `${task}:${workerId}:${ageSeconds}:${Math.random()}`;
  await addJob(t.app.db, task, {}, { jobKey: key });
  const [job] = await t.app.db.$queryRaw<Array<{ id: string }>>`
    UPDATE graphile_worker._private_jobs
    SET locked_by = ${workerId}, locked_at = now() - make_interval(secs => ${ageSeconds}::float8),
        attempts = attempts + 1
    WHERE key = ${key} RETURNING id::text`;
  if (!job) throw new Error("job not found");
  return job.id;
}
const lockOf = async (jobId: string) =>
  (
    await t.app.db.$queryRaw<Array<{ lockedBy: string | null }>>`
      SELECT locked_by AS "lockedBy" FROM graphile_worker.jobs WHERE id = ${jobId}::bigint`
  )[0]?.lockedBy;
const beatAt = (workerId: string, ageSeconds: number) => t.app.db.$executeRaw`
  INSERT INTO worker_heartbeats (worker_id, hostname, pid, last_seen_at)
  VALUES (${workerId}, 'elsewhere', 1, now() - make_interval(secs => ${ageSeconds}::float8))`;

const worker = (tasks: Record<string, Task>, heartbeatTimeoutMs: number): Promise<WorkerRunner> =>
  startWorker(t.app, {
    connectionString: t.database.url,
    concurrency: 1,
    pollInterval: 100,
    tasks,
    heartbeatTimeoutMs,
  });

describe("a worker's heartbeat", () => {
  it("is recorded under its pool id with host and pid, refreshed while it runs, removed at stop", async () => {
    const runner = await worker({}, 400);
    let stopped = false;
    try {
      const first = await heartbeatOf(runner.workerId);
      expect(runner.workerId).toMatch(/^pool-/);
      expect(first).toMatchObject({ hostname: hostname(), pid: process.pid });
      const deadline = Date.now() + 5_000;
      let later = first;
      while (later && first && later.lastSeenAt <= first.lastSeenAt && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        later = await heartbeatOf(runner.workerId);
      }
      expect(later?.lastSeenAt.getTime()).toBeGreaterThan(first?.lastSeenAt.getTime() ?? Infinity);
      await runner.stop();
      stopped = true;
      expect(await heartbeatOf(runner.workerId)).toBeUndefined();
    } finally {
      if (!stopped) await runner.stop();
    }
  });
});

describe("the sweep", () => {
  const timeoutMs = 10_000;

  it("hands back the jobs of a pool whose heartbeat is older than the timeout, and forgets it", async () => {
    await beatAt("pool-dead-one", 11);
    const job = await lockedJob("sweep_probe", "pool-dead-one", 30);
    expect(await sweepDeadWorkers(t.app.db, timeoutMs)).toContain("pool-dead-one");
    expect(await lockOf(job)).toBeNull();
    expect(await heartbeatOf("pool-dead-one")).toBeUndefined();
  });

  it("leaves a live pool's jobs locked, however long they have run", async () => {
    await beatAt("pool-alive", 1);
    const job = await lockedJob("sweep_probe", "pool-alive", 3_600);
    expect(await sweepDeadWorkers(t.app.db, timeoutMs)).not.toContain("pool-alive");
    expect(await lockOf(job)).toBe("pool-alive");
    expect(await heartbeatOf("pool-alive")).toBeDefined();
  });

  it("hands back an old lock whose holder never recorded a heartbeat, not a fresh one", async () => {
    const old = await lockedJob("sweep_probe", "pool-never-beat", 11);
    const fresh = await lockedJob("sweep_probe", "pool-just-started", 1);
    const unlocked = await sweepDeadWorkers(t.app.db, timeoutMs);
    expect(unlocked).toContain("pool-never-beat");
    expect(unlocked).not.toContain("pool-just-started");
    expect(await lockOf(old)).toBeNull();
    expect(await lockOf(fresh)).toBe("pool-just-started");
  });

  it("finds nothing to do when every pool is alive", async () => {
    await sweepDeadWorkers(t.app.db, timeoutMs);
    expect(await sweepDeadWorkers(t.app.db, timeoutMs)).toEqual([]);
  });
});

describe("recovery", () => {
  it("a live worker runs the job a dead pool held, within the heartbeat timeout, once", async () => {
    const runs: string[] = [];
    const task = "recovery_probe";
    await beatAt("pool-crashed", 0);
    const job = await lockedJob(task, "pool-crashed", 0);
    const runner = await worker(
      { [task]: async (_payload, helpers) => void runs.push(helpers.job.id) },
      1_000,
    );
    try {
      const completed = jobsCompleted(runner, 1, (candidate) => candidate.id === job, 5_000);
      // The crashed pool falls silent now: its last heartbeat ages past the timeout.
      await t.app.db.$executeRaw`
        UPDATE worker_heartbeats SET last_seen_at = now() - interval '5 seconds'
        WHERE worker_id = 'pool-crashed'`;
      const [done] = await completed;
      expect(done?.attempts).toBe(2);
      expect(runs).toEqual([job]);
    } finally {
      await runner.stop();
    }
  });
});
