// The app's pool: every connection runs with JIT off, and keeps the session options its URL gives.
import { afterEach, describe, expect, it } from "vitest";
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
