// graphile-worker: its schema migrations, and a runner over every module's tasks.
import { type Runner, run, runMigrations, type TaskList, Logger as WorkerLogger } from "graphile-worker";
import type { App } from "../app.ts";
import { notificationTasks } from "../modules/notifications/jobs.ts";

export function taskList(app: App): TaskList {
  return { ...notificationTasks(app) };
}

export async function migrateWorkerSchema(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: quietLogger });
}

export interface WorkerOptions {
  connectionString: string;
  concurrency: number;
  /** Poll interval in ms; LISTEN/NOTIFY wakes the worker sooner for new jobs. */
  pollInterval?: number;
}

export async function startWorker(app: App, options: WorkerOptions): Promise<Runner> {
  const log = app.logger.child({ component: "worker" });
  return run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    pollInterval: options.pollInterval ?? 2_000,
    noHandleSignals: true,
    taskList: taskList(app),
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
      log[method](meta ?? {}, message);
    }),
  });
}

const quietLogger = new WorkerLogger(() => () => undefined);
