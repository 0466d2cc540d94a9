// Standalone worker process (`npm run worker`): runs background jobs without serving HTTP.
import { setTimeout as delay } from "node:timers/promises";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { prepareDatabase } from "./infra/database-setup.ts";
import { createLogger } from "./infra/logger.ts";
import { startWorker } from "./infra/worker.ts";
import { moduleCrontab, moduleTasks } from "./modules/tasks.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_URL: the standalone worker needs the API's database",
    );
  }
  const database = await prepareDatabase(config, logger);
  const app = await createApp(config, { databaseUrl: database.url, logger });
  const start = () =>
    startWorker(app, {
      connectionString: database.url,
      concurrency: config.workerConcurrency,
      tasks: moduleTasks(app),
      crontab: moduleCrontab,
      heartbeatTimeoutMs: config.workerHeartbeatTimeoutMs,
    });
  let runner: Awaited<ReturnType<typeof start>> | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    stopping = true;
    logger.info({ signal }, "worker shutting down");
    // Running jobs get their chance to finish; a stuck one must not keep the process alive.
    setTimeout(() => {
      logger.error("worker shutdown took too long; exiting");
      process.exit(1);
    }, 30_000).unref();
    try {
      await runner?.stop();
      await app.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "error during worker shutdown");
      process.exit(1);
    }
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  // graphile-worker's pool ends when PostgreSQL goes away (a restart, a failover): start a new one
  // once it is back, rather than exit. The jobs the old pool held are handed back by the heartbeat
  // sweeper (infra/worker-heartbeat.ts) once its heartbeat is stale.
  for (let attempt = 0; !stopping; attempt++) {
    try {
      runner = await start();
      attempt = 0;
      logger.info(
        { concurrency: config.workerConcurrency, workerId: runner.workerId, pid: process.pid },
        "worker running",
      );
      await runner.promise;
      if (!stopping) logger.warn({ workerId: runner.workerId }, "worker pool ended; starting another");
    } catch (error) {
      if (stopping) break;
      const wait = Math.min(500 * 2 ** attempt, 10_000);
      logger.error({ err: error, retryInMs: wait }, "worker pool failed; starting another");
      await delay(wait);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
