// graphile-worker: its schema migrations, and a runner over the tasks it is given (the
// modules register theirs in src/modules/tasks.ts) plus infra's own outbox task, and over
// the recurring jobs it is given (cron). Every runner records a heartbeat and sweeps up the
// jobs of dead ones (worker-heartbeat.ts), so any number of worker processes can share a queue.
import { EventEmitter } from "node:events";
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

const quietLogger = new WorkerLogger(() => () => undefined);
