// The benchmark's scratch database: on BENCH_DATABASE_URL's server, else TEST_DATABASE_URL's or
// DATABASE_URL's, else an embedded PostgreSQL in a temp dir. Migrated like production; always dropped.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { withDatabase } from "../src/infra/database-url.ts";
import { startEmbeddedPostgres } from "../src/infra/embedded-postgres.ts";
import { applyMigrations } from "../src/infra/migrations.ts";
import { migrateWorkerSchema } from "../src/infra/worker.ts";

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Where it runs: "embedded" or the server's host:port. */
  server: string;
  serverVersion: string;
}

/**
 * Each resource is handed to `defer` (the caller's clean-up, run last first) the moment it
 * exists, so an interrupt at any point still drops the database and stops an embedded server.
 */
export async function createScratchDatabase(
  log: (message: string) => void,
  defer: (step: () => Promise<void>) => void,
): Promise<ScratchDatabase> {
  const configured =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let adminUrl: string;
  let server: string;
  if (configured) {
    adminUrl = withDatabase(configured, "postgres");
    const { hostname, port } = new URL(adminUrl);
    server = `${hostname}:${port || 5432}`;
  } else {
    const dir = mkdtempSync(join(tmpdir(), "roost-bench-pg-"));
    // PostgreSQL runs as an unprivileged user when we are root: it must be able to enter the folder.
    chmodSync(dir, 0o755);
    defer(async () => rmSync(dir, { recursive: true, force: true }));
    log("starting an embedded PostgreSQL (set BENCH_DATABASE_URL to use a server)");
    const embedded = await startEmbeddedPostgres(dir);
    defer(() => embedded.stop());
    adminUrl = embedded.adminUrl;
    server = "embedded";
  }

  const name = `roost_bench_${randomBytes(6).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  defer(async () => {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    log(`dropped ${name}`);
  });
  const url = withDatabase(adminUrl, name);
  await applyMigrations({ connectionString: url });
  await migrateWorkerSchema(url);
  const version = await adminQuery(url, "SHOW server_version");
  return { name, url, server, serverVersion: String(version[0]?.server_version ?? "unknown") };
}

async function adminQuery(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url, application_name: "roost-bench" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}
