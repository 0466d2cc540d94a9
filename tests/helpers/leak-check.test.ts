// The leak check fires: for each kind of resource, the check throws while it is open and passes once closed.
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print } from "graphql";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { ListingCalendarChangedDocument } from "../../schema/generated/graphql.ts";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import { startTestApp } from "./app.ts";
import { adminDatabaseUrl } from "./database.ts";
import { factories } from "./factories.ts";
import { checkNothingLeftOpen, trackOpen } from "./leak-check.ts";
import { openSseClient } from "./sse.ts";

describe("the leak check", () => {
  it("fires for a tracked resource until it is released", async () => {
    const release = trackOpen("a probe resource");
    await expect(checkNothingLeftOpen()).rejects.toThrow(/left open: a probe resource/);
    release();
    await checkNothingLeftOpen();
  });

  it("fires for a graphql-sse client until it is disposed", async () => {
    const client = openSseClient({ url: "http://127.0.0.1:9/graphql" });
    await expect(checkNothingLeftOpen()).rejects.toThrow(/graphql-sse client for http:\/\/127.0.0.1:9/);
    client.dispose();
    await checkNothingLeftOpen();
  });

  it("fires for an app made with createApp instead of startTestApp, until it is closed", async () => {
    const config = loadConfig({
      NODE_ENV: "test",
      JWT_SECRET: randomBytes(32).toString("hex"),
      DATABASE_URL: adminDatabaseUrl(),
      ...(inject("redisUrl") && { REDIS_URL: inject("redisUrl") }),
      DATA_DIR: join(tmpdir(), "roost-test-data"),
      LOG_LEVEL: "silent",
    });
    const extra = await createApp(config, { databaseUrl: adminDatabaseUrl() });
    await extra.db.$queryRaw`SELECT 1`;
    const { port } = new URL(adminDatabaseUrl());
    await expect(checkNothingLeftOpen({ settleMs: 100 })).rejects.toThrow(
      new RegExp(`a socket to [\\d.:a-f]+:${port || 5432}`),
    );
    await extra.close();
    await checkNothingLeftOpen();
  });

  it("fires for a pool left open, until it is ended", async () => {
    const pool = new pg.Pool({ connectionString: adminDatabaseUrl(), max: 1 });
    await pool.query("SELECT 1");
    await expect(checkNothingLeftOpen({ settleMs: 100 })).rejects.toThrow(/a socket to/);
    await pool.end();
    await checkNothingLeftOpen();
  });

  it("makes a test app's close fail while an SSE stream is still open on it", async () => {
    const t = await startTestApp();
    const host = await factories(t).user().host().create();
    const listing = await factories(t).listing(host).listed().create();
    const client = openSseClient({ url: `${t.url}/graphql`, retryAttempts: 0 });
    await new Promise<void>((connected) => {
      client.subscribe(
        {
          query: print(ListingCalendarChangedDocument),
          variables: { listingId: encodeGlobalId("Listing", listing.id) },
        },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
        { connected: () => connected() },
      );
    });
    await expect(t.close()).rejects.toThrow(/1 request\(s\) still open on .* an SSE client not disposed/);
    client.dispose();
    await checkNothingLeftOpen();
  });
});
