// A throwaway database per test (roost_t_<random>) on the run's server, dropped afterwards.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const adminUrl = (): string =>
  process.env.ROOST_TEST_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface ScratchDatabase {
  name: string;
  url: string;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function withScratchDatabase<T>(run: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const name = `roost_t_${randomBytes(6).toString("hex")}`;
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  await admin(`CREATE DATABASE "${name}"`);
  try {
    return await run({ name, url: url.toString() });
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
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
