// graphile-worker: its schema migrations, and a runner over the tasks it is given (the
// modules register theirs in src/modules/tasks.ts) plus infra's own outbox task, and over
// the recurring jobs it is given (cron).
import {
  type CronItem,
  parseCronItems,
  type Runner,
  run,
  runMigrations,
  type TaskList,
  Logger as WorkerLogger,
} from "graphile-worker";
import type { Logger } from "./logger.ts";
import type { PubSub } from "./pubsub.ts";
import { OUTBOX_TASK, outboxTask } from "./unit-of-work.ts";

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
}

export async function startWorker(
  deps: { logger: Logger; pubsub: PubSub },
  options: WorkerOptions,
): Promise<Runner> {
  const log = deps.logger.child({ component: "worker" });
  return run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    pollInterval: options.pollInterval ?? 2_000,
    noHandleSignals: true,
    taskList: { [OUTBOX_TASK]: outboxTask(deps.pubsub), ...options.tasks },
    parsedCronItems: parseCronItems(options.crontab ?? []),
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
      log[method](meta ?? {}, message);
    }),
  });
}

const quietLogger = new WorkerLogger(() => () => undefined);
