-- Worker heartbeats (issue 15): each graphile-worker pool records that it is alive, so the jobs of
-- a pool that died mid-job (SIGKILL, OOM, a lost machine) are unlocked after the heartbeat timeout
-- instead of graphile-worker's own 4 hours (src/infra/worker-heartbeat.ts).

-- CreateTable
CREATE TABLE "worker_heartbeats" (
    "worker_id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "worker_heartbeats_pkey" PRIMARY KEY ("worker_id")
);
