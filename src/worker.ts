// Standalone worker process (`npm run worker`): runs background jobs without serving HTTP.
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { prepareDatabase } from "./infra/database-setup.ts";
import { createLogger } from "./infra/logger.ts";
import { superviseWorker } from "./infra/worker.ts";
import { moduleWorkerOptions } from "./modules/tasks.ts";

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
  // Started before the signal handlers, so a signal always finds the supervisor to stop.
  const worker = superviseWorker(app, moduleWorkerOptions(app, database.url));

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "worker shutting down");
    // Running jobs get their chance to finish; a stuck one must not keep the process alive.
    setTimeout(() => {
      logger.error("worker shutdown took too long; exiting");
      process.exit(1);
    }, 30_000).unref();
    try {
      await worker.stop();
      await app.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "error during worker shutdown");
      process.exit(1);
    }
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
