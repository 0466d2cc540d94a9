// graphile-worker in tests: waiting for jobs on the runner's events, and reading the queue
// through its public view graphile_worker.jobs (0.16+; payloads are only in the private table).
import type { Job, Runner } from "graphile-worker";
import type { Db } from "../../src/infra/db.ts";

/**
 * Resolves with the first `count` jobs that match once each has run; rejects on the first
 * failed attempt of one, or after timeoutMs. Call it before adding them. ("job:complete"
 * comes before the finished job is deleted: poll queuedJobs to see the queue empty.)
 */
export function jobsCompleted(
  runner: Runner,
  count: number,
  matches: (job: Job) => boolean,
  timeoutMs = 10_000,
): Promise<Job[]> {
  return new Promise((resolve, reject) => {
    const done: Job[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${done.length} of ${count} jobs completed within ${timeoutMs} ms`));
    }, timeoutMs);
    const onComplete = ({ job, error }: { job: Job; error: unknown }) => {
      if (!matches(job)) return;
      if (error) {
        stop();
        return reject(new Error(`job ${job.task_identifier} failed: ${String(error)}`));
      }
      done.push(job);
      if (done.length === count) {
        stop();
        resolve(done);
      }
    };
    const stop = () => {
      clearTimeout(timer);
      runner.events.off("job:complete", onComplete);
    };
    runner.events.on("job:complete", onComplete);
  });
}

export interface QueuedJob {
  id: string;
  key: string | null;
  attempts: number;
  runAt: Date;
}

/** The task's jobs still in the queue (pending, running or failed). */
export async function queuedJobs(db: Db, task: string): Promise<QueuedJob[]> {
  return db.$queryRaw<QueuedJob[]>`
    SELECT id::text, key, attempts, run_at AS "runAt"
    FROM graphile_worker.jobs WHERE task_identifier = ${task} ORDER BY id`;
}
