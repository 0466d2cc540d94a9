// Background tasks of calendar sync: one import's sync (queued when it is added, and by the
// periodic task), and the periodic task that queues the imports due again. Both are safe to run
// twice: a sync makes the blocks what its own fetch says, and queuing uses one job key per import.
import type { CronItem, Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { SYNC_MAX_ATTEMPTS, SYNC_TASK, syncCalendarImport, syncJobKey } from "./sync.ts";

export const SYNC_DUE_TASK = "calendar_sync_due";
/** Imports queued per run at most: the rest are the oldest next time. */
const DUE_PER_RUN = 1_000;

/** Queues a sync of each import whose last attempt is older than the interval (oldest first). */
export async function queueDueSyncs(app: Pick<App, "db" | "clock" | "config">): Promise<number> {
  const cutoff = new Date(app.clock.now().getTime() - app.config.calendarSync.intervalMs);
  const rows = await app.db.$queryRaw<Array<{ id: string }>>`
    SELECT i.id::text AS id, graphile_worker.add_job(
      ${SYNC_TASK},
      json_build_object('calendarImportId', i.id::text),
      job_key => ${syncJobKey("")} || i.id::text,
      max_attempts => ${SYNC_MAX_ATTEMPTS}::int
    )::text AS job
    FROM (
      SELECT id FROM calendar_imports
      WHERE last_attempt_at IS NULL OR last_attempt_at < ${cutoff}::timestamptz
      ORDER BY last_attempt_at ASC NULLS FIRST
      LIMIT ${DUE_PER_RUN}
    ) i`;
  return rows.length;
}

export const calendarSyncTasks = (app: App): Record<string, Task> => ({
  [SYNC_TASK]: async (payload) => {
    const { calendarImportId } = payload as { calendarImportId: string };
    await syncCalendarImport(app, calendarImportId);
  },
  [SYNC_DUE_TASK]: async () => {
    await queueDueSyncs(app);
  },
});

/** Every ten minutes; each import comes due CALENDAR_SYNC_INTERVAL_MINUTES after its last attempt. */
export const calendarSyncCronItems: CronItem[] = [
  {
    task: SYNC_DUE_TASK,
    identifier: SYNC_DUE_TASK,
    match: "*/10 * * * *",
    options: { backfillPeriod: 0, maxAttempts: 1, jobKey: SYNC_DUE_TASK },
  },
];
