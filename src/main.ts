// Process entry: config → database → server → worker → signals.
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { prepareDatabase } from "./infra/database-setup.ts";
import { createLogger } from "./infra/logger.ts";
import { superviseWorker } from "./infra/worker.ts";
import { moduleWorkerOptions } from "./modules/tasks.ts";
import { startHttpServer } from "./server.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await prepareDatabase(config, logger);
  const app = await createApp(config, { databaseUrl: database.url, logger });

  if (config.seedDemoData) {
    const { seedDemoDataIfEmpty } = await import("../prisma/seed.ts");
    if (await seedDemoDataIfEmpty(app)) logger.info("demo data loaded into the empty database");
  }

  const server = await startHttpServer(app, config.port, config.host);
  // Supervised: a pool that ends (PostgreSQL restarted) is replaced, the API goes on serving.
  const worker = config.workerInProcess
    ? superviseWorker(app, moduleWorkerOptions(app, database.url))
    : undefined;
  logger.info(
    {
      url: server.url,
      graphiql: config.isProduction ? undefined : `${server.url}/graphql`,
      worker: Boolean(worker),
    },
    "Roost is serving",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      await server.close();
      await worker?.stop();
      await app.close();
      await database.stop();
      logger.info("stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "error during shutdown");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error("Roost failed to start:", error);
  }
  process.exit(1);
});
