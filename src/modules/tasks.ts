// Every module's background tasks, for the worker (in the API process or `npm run worker`).
import type { TaskList } from "graphile-worker";
import type { App } from "../app.ts";
import { notificationTasks } from "./notifications/jobs.ts";

export const moduleTasks = (app: App): TaskList => ({ ...notificationTasks(app) });
