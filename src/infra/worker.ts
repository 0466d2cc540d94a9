// graphile-worker: its schema migrations, and a runner over the tasks it is given (the
// modules register theirs in src/modules/tasks.ts) plus infra's own outbox task, and over
// the recurring jobs it is given (cron). Every runner records a heartbeat and sweeps up the
// jobs of dead ones (worker-heartbeat.ts), so any number of worker processes can share a queue.
// A process runs its pools under superviseWorker, which starts a new one whenever one ends.
import { EventEmitter } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import {
  type CronItem,
  parseCronItems,
  type Runner,
  run,
  runMigrations,
  type TaskList,
  type WorkerEvents,
  Logger as WorkerLogger,
} from "graphile-worker";
import type { Db } from "./db.ts";
import type { Logger } from "./logger.ts";
import type { PubSub } from "./pubsub.ts";
import { OUTBOX_TASK, outboxTask } from "./unit-of-work.ts";
import { startHeartbeat } from "./worker-heartbeat.ts";

export async function migrateWorkerSchema(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: quietLogger });
}

export interface WorkerOptions {
  connectionString: string;
  concurrency: number;
  tasks: TaskList;
  /** Poll interval in ms; LISTEN/NOTIFY wakes the worker sooner for new jobs. */
  pollInterval?: number;
  /**
   * Recurring jobs (graphile-worker's cron). Only these: a `crontab` file in the working
   * directory is never read. Each item needs its task in `tasks`.
   */
  crontab?: CronItem[];
  /** A pool silent this long is presumed dead and its jobs are unlocked (config.workerHeartbeatTimeoutMs). */
  heartbeatTimeoutMs: number;
}

/** graphile-worker's runner; `workerId` is its pool's id, the locked_by of the jobs it runs. */
export type WorkerRunner = Runner & { workerId: string };

export async function startWorker(
  deps: { logger: Logger; pubsub: PubSub; db: Db },
  options: WorkerOptions,
): Promise<WorkerRunner> {
  const log = deps.logger.child({ component: "worker" });
  // The pool is created inside run(), before it returns: its id comes with this event.
  const events = new EventEmitter() as WorkerEvents;
  let workerId: string | undefined;
  events.once("pool:create", ({ workerPool }) => {
    workerId = workerPool.id;
  });
  const runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    pollInterval: options.pollInterval ?? 2_000,
    noHandleSignals: true,
    events,
    taskList: { [OUTBOX_TASK]: outboxTask(deps.pubsub), ...options.tasks },
    parsedCronItems: parseCronItems(options.crontab ?? []),
    // The batched paths of completing and failing a job, with no delay: graphile-worker 0.17's
    // unbatched ones leave the promise of that query unawaited, so PostgreSQL refusing it (being
    // restarted) is an unhandled rejection, which ends the whole process. Batched, the failure
    // ends this pool only; its job stays locked until the heartbeat sweeper hands it back.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
      log[method](meta ?? {}, message);
    }),
  });
  if (!workerId) {
    await runner.stop();
    throw new Error("graphile-worker created no pool: cannot record its heartbeat");
  }
  const heartbeat = await startHeartbeat(deps.db, {
    workerId,
    timeoutMs: options.heartbeatTimeoutMs,
    logger: deps.logger,
  }).catch(async (error: unknown) => {
    await runner.stop();
    throw error;
  });
  // However the runner ends (stopped, or failed on its own), the heartbeat ends with it; the row
  // goes only once its jobs have finished or been released.
  const ended = runner.promise.finally(() => heartbeat.stop());
  ended.catch(() => undefined);
  log.info({ workerId }, "worker pool started");
  return {
    ...runner,
    workerId,
    promise: ended,
    async stop(reason) {
      try {
        await runner.stop(reason);
      } finally {
        await heartbeat.stop();
      }
    },
  };
}

export interface SupervisedWorker {
  /** The pool running now; undefined between one that ended and the next. */
  readonly current: WorkerRunner | undefined;
  /** Stops the running pool (its jobs finish first) and starts no other. */
  stop(): Promise<void>;
}

/**
 * Runs a pool and, whenever one ends without being asked (PostgreSQL restarted or failed over,
 * a query completing a job refused), starts another, retrying with backoff while PostgreSQL is
 * unreachable. A pool that ended holding jobs leaves them locked; the heartbeat sweeper of the
 * next pool (or of any other worker) hands them back once that pool's heartbeat is stale.
 */
export function superviseWorker(
  deps: { logger: Logger; pubsub: PubSub; db: Db },
  options: WorkerOptions,
  backoff: { minMs: number; maxMs: number } = { minMs: 500, maxMs: 10_000 },
): SupervisedWorker {
  const log = deps.logger.child({ component: "worker" });
  let current: WorkerRunner | undefined;
  let stopping = false;
  const stopped = new AbortController();
  const pause = (ms: number) => delay(ms, undefined, { signal: stopped.signal }).catch(() => undefined);

  const loop = (async () => {
    for (let failures = 0; !stopping;) {
      let runner: WorkerRunner;
      try {
        runner = await startWorker(deps, options);
      } catch (error) {
        if (stopping) break;
        const wait = Math.min(backoff.minMs * 2 ** failures++, backoff.maxMs);
        log.error({ err: error, retryInMs: wait }, "worker pool could not start; trying again");
        await pause(wait);
        continue;
      }
      if (stopping) {
        await runner.stop().catch((error: unknown) => log.warn({ err: error }, "worker pool stop failed"));
        break;
      }
      failures = 0;
      current = runner;
      log.info(
        { workerId: runner.workerId, concurrency: options.concurrency, pid: process.pid },
        "worker running",
      );
      const ended = await runner.promise.then(
        () => undefined,
        (error: unknown) => error,
      );
      current = undefined;
      if (stopping) break;
      log.warn({ err: ended, workerId: runner.workerId }, "worker pool ended; starting another");
      await pause(backoff.minMs);
    }
  })();

  return {
    get current() {
      return current;
    },
    async stop() {
      stopping = true;
      stopped.abort();
      // A pool that ended on its own a moment ago may refuse a second stop: nothing is left to stop.
      await current?.stop().catch((error: unknown) => log.warn({ err: error }, "worker pool stop failed"));
      await loop;
    },
  };
}

const quietLogger = new WorkerLogger(() => () => undefined);
