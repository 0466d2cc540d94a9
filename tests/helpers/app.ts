// A running Roost for a test file: its own database and Redis key space, a real HTTP
// port, and a typed GraphQL client. Close it in afterAll; the leak check insists.
import { randomBytes } from "node:crypto";
import type { Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner } from "graphile-worker";
import { inject } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { Clock } from "../../src/infra/clock.ts";
import type { Logger } from "../../src/infra/logger.ts";
import { startWorker } from "../../src/infra/worker.ts";
import { moduleWorkerOptions } from "../../src/modules/tasks.ts";
import { type RunningServer, startHttpServer } from "../../src/server.ts";
import { GraphQLClient } from "./client.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { trackOpen } from "./leak-check.ts";

export interface TestAppOptions {
  clock?: Clock;
  /** Adjusts the loaded config (limits, auth windows...). */
  configure?: (config: Config) => void;
  /** Use Redis when the run has one (default); false forces the in-memory stand-ins. */
  redis?: boolean;
  /**
   * Keys and pub/sub channels are namespaced per app by default; give two apps the same
   * prefix to make them one deployment (e.g. events fanned out across processes).
   */
  redisKeyPrefix?: string;
  /** Where the app logs (e.g. into memory, to assert on log lines); silent by default. */
  logger?: Logger;
  /** Points the app at another PostgreSQL than its test database (e.g. a closed port: an outage). */
  databaseUrl?: string;
}

export interface TestApp {
  app: App;
  server: RunningServer;
  database: TestDatabase;
  url: string;
  /** An anonymous client; `client.as(token)` for a signed-in one. */
  client: GraphQLClient;
  startWorker(): Promise<Runner>;
  /** Closes everything, then throws if a request (an SSE stream) was still open on the server. */
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const redisUrl = options.redis === false ? undefined : inject("redisUrl");
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: randomBytes(32).toString("hex"),
    DATABASE_URL: options.databaseUrl ?? database.url,
    DATABASE_POOL_MAX: "5",
    ...(redisUrl && { REDIS_URL: redisUrl }),
    REDIS_KEY_PREFIX: options.redisKeyPrefix ?? `roost-test:${randomBytes(6).toString("hex")}:`,
    DATA_DIR: join(tmpdir(), "roost-test-data"),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  // Every user a test makes signs up from 127.0.0.1: per-IP limits would trip on fixtures.
  // Tests of those limits set them back through `configure`.
  config.auth.signUpsPerIpPerHour = 100_000;
  config.auth.loginAttemptsPerIp = 100_000;
  options.configure?.(config);
  const app = await createApp(config, {
    databaseUrl: options.databaseUrl ?? database.url,
    clock: options.clock,
    logger: options.logger,
  });
  const server = await startHttpServer(app, 0, "127.0.0.1");
  const inFlight = trackResponses(server.http);
  const runners: Runner[] = [];
  const release = trackOpen(`test app on ${server.url}`);
  return {
    app,
    server,
    database,
    url: server.url,
    client: new GraphQLClient(`${server.url}/graphql`),
    async startWorker() {
      const runner = await startWorker(app, {
        ...moduleWorkerOptions(app, database.url),
        concurrency: 2,
        pollInterval: 200,
      });
      runners.push(runner);
      return runner;
    },
    async close() {
      for (const runner of runners) await runner.stop();
      const streams = await inFlight.settled();
      await server.close(1_000);
      await app.close();
      await database.drop();
      release();
      if (streams > 0) {
        throw new Error(
          `${streams} request(s) still open on ${server.url} at close: an SSE client not disposed?`,
        );
      }
    },
  };
}

/**
 * The server's responses still in progress: at close, requests a test left running, such as
 * an SSE stream whose client was never disposed. (Idle connections do not count, nor spare
 * ones fetch opened and never used.) A client disposed just before takes an event-loop turn
 * or two to hang up, hence the short bounded wait.
 */
function trackResponses(http: Server) {
  const open = new Set<ServerResponse>();
  http.on("request", (_request, response: ServerResponse) => {
    open.add(response);
    response.once("close", () => open.delete(response));
  });
  return {
    async settled(settleMs = 500): Promise<number> {
      const deadline = Date.now() + settleMs;
      while (open.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return open.size;
    },
  };
}
