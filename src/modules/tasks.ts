// Every module's background tasks, for the worker (in the API process or `npm run worker`).
import type { TaskList } from "graphile-worker";
import type { App } from "../app.ts";
import { bookingTasks } from "./bookings/jobs.ts";
import { notificationTasks } from "./notifications/jobs.ts";
import { paymentTasks } from "./payments/jobs.ts";

export const moduleTasks = (app: App): TaskList => ({
  ...notificationTasks(app),
  ...bookingTasks(app),
  ...paymentTasks(app),
});
