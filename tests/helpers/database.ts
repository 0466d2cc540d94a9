// Databases for tests on the run's server: clones of the migrated template, or empty scratch ones.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { withDatabase } from "../../src/infra/database-url.ts";

export const adminDatabaseUrl = (): string => inject("adminDatabaseUrl");

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new database per test file: migrated (cloned from the template) unless `empty`. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = adminDatabaseUrl();
  const name = `roost_t_${randomBytes(6).toString("hex")}`;
  const from = options.empty ? "" : ` TEMPLATE "${inject("templateDatabase")}"`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"${from}`);
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Runs `run` with an empty database, dropped afterwards whatever happens. */
export async function withScratchDatabase<T>(run: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase({ empty: true });
  try {
    return await run(db);
  } finally {
    await db.drop();
  }
}

/** Runs `use` with one connected client to `url`, closing it whatever happens. */
export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  await withClient(url, (client) => client.query(sql));
}
