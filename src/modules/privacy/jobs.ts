// Background tasks of the privacy module: build a requested data export, and (every quarter hour)
// drop archives past their expiry. Both are safe to run twice.
import type { CronItem, Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { buildDataExport, EXPORT_TASK, failDataExport, PURGE_TASK, purgeDataExports } from "./exports.ts";

export const privacyTasks = (app: App): Record<string, Task> => ({
  [EXPORT_TASK]: async (payload, helpers) => {
    const { exportId } = payload as { exportId: string };
    try {
      await buildDataExport(app, exportId);
    } catch (error) {
      // The last attempt: the export is FAILED, so the user may ask for another at once.
      if (helpers.job.attempts >= helpers.job.max_attempts) await failDataExport(app, exportId);
      throw error;
    }
  },
  [PURGE_TASK]: async () => {
    const count = await purgeDataExports(app);
    app.logger.debug({ count }, "dropped expired data exports");
  },
});

export const privacyCronItems: CronItem[] = [
  {
    task: PURGE_TASK,
    identifier: PURGE_TASK,
    match: "*/15 * * * *",
    options: { backfillPeriod: 0, maxAttempts: 3, jobKey: PURGE_TASK },
  },
];
