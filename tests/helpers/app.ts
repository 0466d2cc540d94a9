// A running Roost for a test file: its own database and Redis key space, a real HTTP
// port, and a typed GraphQL client. Close it in afterAll; the leak check insists.
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner } from "graphile-worker";
import { inject } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { Clock } from "../../src/infra/clock.ts";
import type { Logger } from "../../src/infra/logger.ts";
import { startWorker } from "../../src/infra/worker.ts";
import { moduleTasks } from "../../src/modules/tasks.ts";
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
        connectionString: database.url,
        concurrency: 2,
        pollInterval: 200,
        tasks: moduleTasks(app),
      });
      runners.push(runner);
      return runner;
    },
    async close() {
      for (const runner of runners) await runner.stop();
      await server.close(1_000);
      await app.close();
      await database.drop();
      release();
    },
  };
}
