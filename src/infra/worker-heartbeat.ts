// Worker liveness: each graphile-worker pool records a heartbeat in worker_heartbeats, and every
// pool sweeps: the jobs locked by a pool silent past the timeout go back to the queue, through
// graphile-worker's own force_unlock_workers. graphile-worker 0.17 by itself frees a crashed
// worker's jobs only 4 hours after it locked them; SIGKILL, an OOM kill or a lost machine would
// hold a job (and its named queue) that long.
//
// Times are the database's (now()), never a process's, so machines with skewed clocks agree.
// A job handed back runs again from the start (graphile-worker counted the lost attempt when the
// dead pool took it): tasks are safe to run twice (STYLE.md), as at-least-once delivery requires.
import { hostname } from "node:os";
import type { Db } from "./db.ts";
import type { Logger } from "./logger.ts";

export interface HeartbeatOptions {
  /** graphile-worker's pool id: what it writes in locked_by. */
  workerId: string;
  /** Silent this long, a pool is presumed dead. */
  timeoutMs: number;
  /** How often this pool records that it lives; default a quarter of the timeout. */
  beatEveryMs?: number;
  /** How often this pool looks for dead ones; default half the timeout. */
  sweepEveryMs?: number;
  logger: Logger;
}

export interface Heartbeat {
  readonly workerId: string;
  /** Stops beating and sweeping, and removes this pool's row (it stopped; nothing of it is locked). */
  stop(): Promise<void>;
}

/** Registers the pool at once, then beats and sweeps until stopped. */
export async function startHeartbeat(db: Db, options: HeartbeatOptions): Promise<Heartbeat> {
  const { workerId, timeoutMs, logger } = options;
  const log = logger.child({ component: "worker-heartbeat", workerId });
  const beatEveryMs = options.beatEveryMs ?? Math.max(100, Math.floor(timeoutMs / 4));
  const sweepEveryMs = options.sweepEveryMs ?? Math.max(100, Math.floor(timeoutMs / 2));
  let registered = false;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();

  const beat = async () => {
    const [row] = await db.$queryRaw<Array<{ inserted: boolean }>>`
      INSERT INTO worker_heartbeats (worker_id, hostname, pid)
      VALUES (${workerId}, ${hostname()}, ${process.pid})
      ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = now()
      RETURNING (xmax = 0) AS inserted`;
    if (registered && row?.inserted) {
      // Another pool's sweeper found this one silent past the timeout (a stalled event loop, a
      // network partition) and handed its jobs back: the ones running here may run twice.
      log.warn({ timeoutMs }, "this worker was presumed dead; its running jobs may also run elsewhere");
    }
    registered = true;
  };
  const sweep = async () => {
    const unlocked = await sweepDeadWorkers(db, timeoutMs);
    if (unlocked.length) log.warn({ deadWorkers: unlocked }, "unlocked the jobs of workers presumed dead");
  };

  /** Runs one step at a time; a failure is logged and the next tick tries again. */
  const every = (ms: number, step: () => Promise<void>, what: string) =>
    setInterval(() => {
      if (stopped) return;
      inFlight = inFlight
        .then(step)
        .catch((error: unknown) => log.warn({ err: error }, `worker ${what} failed`));
    }, ms).unref();

  await beat();
  const timers = [every(beatEveryMs, beat, "heartbeat"), every(sweepEveryMs, sweep, "sweep")];
  // A sweep at start-up too: a restarted machine recovers its own dead predecessor's jobs soonest.
  inFlight = sweep().catch((error: unknown) => log.warn({ err: error }, "worker sweep failed"));

  let stopping: Promise<void> | undefined;
  return {
    workerId,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        for (const timer of timers) clearInterval(timer);
        await inFlight;
        await db.$executeRaw`DELETE FROM worker_heartbeats WHERE worker_id = ${workerId}`.catch(
          (error: unknown) => log.warn({ err: error }, "could not remove the worker's heartbeat"),
        );
      })();
      return stopping;
    },
  };
}

/**
 * Unlocks the jobs of dead workers and forgets them; returns their ids. Dead: a heartbeat older
 * than the timeout, or no heartbeat at all while holding a lock older than the timeout (a pool
 * killed before its first heartbeat landed, or one that never records any). Concurrent sweeps
 * are harmless: the DELETE hands each dead row to one of them.
 */
export async function sweepDeadWorkers(db: Db, timeoutMs: number): Promise<string[]> {
  const seconds = timeoutMs / 1000;
  return db.$transaction(async (tx) => {
    const [found] = await tx.$queryRaw<Array<{ ids: string[] }>>`
      WITH dead AS (
        DELETE FROM worker_heartbeats
        WHERE last_seen_at < now() - make_interval(secs => ${seconds}::float8)
        RETURNING worker_id
      ), silent AS (
        SELECT jobs.locked_by AS worker_id
        FROM graphile_worker.jobs
        WHERE jobs.locked_by IS NOT NULL
          AND jobs.locked_at < now() - make_interval(secs => ${seconds}::float8)
          AND NOT EXISTS (SELECT 1 FROM worker_heartbeats h WHERE h.worker_id = jobs.locked_by)
      )
      SELECT coalesce(array_agg(worker_id ORDER BY worker_id), '{}') AS ids
      FROM (SELECT worker_id FROM dead UNION SELECT worker_id FROM silent) AS presumed_dead`;
    const ids = found?.ids ?? [];
    if (ids.length) await tx.$executeRaw`SELECT graphile_worker.force_unlock_workers(${ids}::text[])`;
    return ids;
  });
}
