// The app's pool: every connection runs with JIT off, and keeps the session options its URL gives.
import { afterEach, describe, expect, it, vi } from "vitest";
import { contractErrorOf, sqlState } from "../../src/infra/db-errors.ts";
import { createDatabase, type Database, connectionSettings } from "../../src/infra/db.ts";
import { withScratchDatabase } from "../helpers/database.ts";

let open: Database | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe("createDatabase", () => {
  it("turns JIT off on its connections, after the URL's own options", async () => {
    await withScratchDatabase(async (db) => {
      const withOptions = new URL(db.url);
      withOptions.searchParams.set("options", "-c statement_timeout=4321");
      for (const [url, timeout] of [
        [db.url, "0"],
        [withOptions.toString(), "4321ms"],
      ] as const) {
        open = createDatabase({ url, max: 1 });
        const settings = await open.pool.query<{ jit: string; timeout: string }>(
          "SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS timeout",
        );
        expect(settings.rows).toEqual([{ jit: "off", timeout }]);
        await open.close();
        open = undefined;
      }
    });
  });

  it("a checked-out client whose connection the server ends is heard (no crash), and its next statement is SERVICE_UNAVAILABLE", async () => {
    await withScratchDatabase(async (db) => {
      const heard: unknown[] = [];
      open = createDatabase({ url: db.url, max: 2, onError: (error) => heard.push(error) });
      // Held as a transaction holds its client: checked out, idle between two statements.
      const client = await open.pool.connect();
      await client.query("BEGIN");
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const other = await open.pool.connect();
      try {
        // Without a listener on the checked-out client this 'error' would end the test process.
        await other.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
        await vi.waitFor(() => expect(heard.map(sqlState)).toContain("57P01"));
        const failed = await client.query("SELECT 1").then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(contractErrorOf(failed)?.code).toBe("SERVICE_UNAVAILABLE");
      } finally {
        client.release(true);
        other.release();
      }
    });
  });

  it("connectionSettings moves a URL's options after its own, and leaves other URLs as they are", () => {
    expect(connectionSettings("postgresql://u:p%40ss@h:5433/db?sslmode=require")).toEqual({
      connectionString: "postgresql://u:p%40ss@h:5433/db?sslmode=require",
      options: "-c jit=off",
    });
    expect(connectionSettings("postgresql://u@h/db?options=-c%20search_path%3Dapp&sslmode=disable")).toEqual({
      connectionString: "postgresql://u@h/db?sslmode=disable",
      options: "-c search_path=app -c jit=off",
    });
  });
});
