// Start-up of the database: the configured server or an embedded one, our migrations
// and graphile-worker's schema. Shared by the API process and the standalone worker.
import pg from "pg";
import type { Config } from "../config.ts";
import { withDatabase } from "./database-url.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import type { Logger } from "./logger.ts";
import { applyMigrations } from "./migrations.ts";
import { migrateWorkerSchema } from "./worker.ts";

export interface PreparedDatabase {
  url: string;
  /** Stops the embedded server, if one was started. */
  stop(): Promise<void>;
}

export async function prepareDatabase(config: Config, logger: Logger): Promise<PreparedDatabase> {
  let url = config.databaseUrl;
  let stop = async () => {};
  if (!url) {
    const embedded = await startEmbeddedPostgres(config.dataDir, logger);
    stop = embedded.stop;
    url = withDatabase(embedded.adminUrl, "roost");
    await createDatabaseIfMissing(embedded.adminUrl, "roost");
    logger.info({ port: embedded.port }, "embedded PostgreSQL started (DATABASE_URL is unset)");
  }
  try {
    const { applied } = await applyMigrations({
      connectionString: url,
      log: (message) => logger.info(message),
    });
    if (applied.length) logger.info({ applied }, "migrations applied");
    await migrateWorkerSchema(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
