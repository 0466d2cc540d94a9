// Adding background jobs through SQL, so a job commits or rolls back with the
// transaction that caused it (graphile-worker's add_job).
import type { Prisma } from "../generated/prisma/client.ts";

type SqlClient = Pick<Prisma.TransactionClient, "$executeRaw">;

export interface JobOptions {
  runAt?: Date;
  /** Replaces a pending job with the same key (debounce / reschedule). */
  jobKey?: string;
  maxAttempts?: number;
}

export async function addJob(
  db: SqlClient,
  task: string,
  payload: object,
  options: JobOptions = {},
): Promise<void> {
  await db.$executeRaw`
    SELECT graphile_worker.add_job(
      ${task},
      ${JSON.stringify(payload)}::json,
      run_at => ${options.runAt ?? null}::timestamptz,
      job_key => ${options.jobKey ?? null}::text,
      max_attempts => ${options.maxAttempts ?? 10}::int
    )`;
}
