// A database per test file, cloned from the run's migrated template.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { withDatabase } from "../../src/infra/embedded-postgres.ts";

export const adminDatabaseUrl = (): string => inject("adminDatabaseUrl");

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

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

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
