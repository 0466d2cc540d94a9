// Once per test run: find PostgreSQL (TEST_DATABASE_URL, DATABASE_URL, or an embedded
// server), build a migrated template database, and check Redis (required when CI=true).
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { withDatabase } from "../../src/infra/database-url.ts";
import { startEmbeddedPostgres } from "../../src/infra/embedded-postgres.ts";
import { applyMigrations } from "../../src/infra/migrations.ts";
import { createRedis, pingRedis, redisReady } from "../../src/infra/redis.ts";
import { migrateWorkerSchema } from "../../src/infra/worker.ts";
import { adminQuery } from "./database.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    redisUrl: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  const cleanups: Array<() => Promise<void>> = [];
  const configured = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let adminUrl: string;
  if (configured) {
    adminUrl = withDatabase(configured, "postgres");
  } else {
    const dir = join(tmpdir(), `roost-test-pg-${process.pid}`);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const embedded = await startEmbeddedPostgres(dir);
    adminUrl = embedded.adminUrl;
    cleanups.push(async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    });
  }

  const template = `roost_tpl_${randomBytes(4).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${template}"`);
  cleanups.push(() => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`));
  const templateUrl = withDatabase(adminUrl, template);
  await applyMigrations({ connectionString: templateUrl });
  await migrateWorkerSchema(templateUrl);

  const redisUrl = process.env.REDIS_URL;
  if (process.env.CI === "true" && !redisUrl) {
    throw new Error("CI=true: set REDIS_URL, the Redis tests must not be skipped in CI");
  }
  if (redisUrl) {
    const redis = createRedis(redisUrl);
    const up = await redisReady(redis, 3_000)
      .then(() => pingRedis(redis))
      .catch(() => false);
    redis.disconnect();
    if (!up) throw new Error(`REDIS_URL=${redisUrl} does not answer`);
  }

  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", template);
  project.provide("redisUrl", redisUrl);

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
