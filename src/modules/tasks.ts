// Every module's background tasks, for the worker (in the API process or `npm run worker`).
import type { CronItem, TaskList } from "graphile-worker";
import { idempotencyCronItems, idempotencyTasks } from "../infra/idempotency.ts";
import type { App } from "../app.ts";
import type { WorkerOptions } from "../infra/worker.ts";
import { bookingTasks } from "./bookings/jobs.ts";
import { calendarSyncCronItems, calendarSyncTasks } from "./calendar-sync/jobs.ts";
import { notificationTasks } from "./notifications/jobs.ts";
import { paymentTasks } from "./payments/jobs.ts";
import { privacyCronItems, privacyTasks } from "./privacy/jobs.ts";
import { reviewTasks } from "./reviews/jobs.ts";

export const moduleTasks = (app: App): TaskList => ({
  ...notificationTasks(app),
  ...bookingTasks(app),
  ...paymentTasks(app),
  ...reviewTasks(app),
  ...privacyTasks(app),
  ...calendarSyncTasks(app),
  ...idempotencyTasks(app),
});

/** Recurring jobs, for the same worker. */
export const moduleCrontab: CronItem[] = [
  ...idempotencyCronItems,
  ...privacyCronItems,
  ...calendarSyncCronItems,
];

/** A process's worker (the API's own, or `npm run worker`): every module's tasks and cron, as configured. */
export const moduleWorkerOptions = (app: App, connectionString: string): WorkerOptions => ({
  connectionString,
  concurrency: app.config.workerConcurrency,
  tasks: moduleTasks(app),
  crontab: moduleCrontab,
  heartbeatTimeoutMs: app.config.workerHeartbeatTimeoutMs,
});
