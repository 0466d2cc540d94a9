// Applies committed prisma/migrations at start-up with plain pg, recorded the way `prisma migrate deploy` does.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/** The key `prisma migrate` itself locks on, so our applier and the real CLI also exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

/** Prisma's own DDL for PostgreSQL (schema engine), so the real CLI accepts the table as its own. */
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export const defaultMigrationsDir = (): string =>
  fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export interface MigrationFile {
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

export interface ApplyMigrationsOptions {
  connectionString: string;
  migrationsDir?: string;
  log?: (msg: string) => void;
  /** How long to wait for another process's migration run; default 5 minutes. */
  lockTimeoutMs?: number;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

const sha256 = (data: string | Buffer): Buffer => createHash("sha256").update(data).digest();

/** sha256 hex of the file's bytes: the value Prisma stores in `checksum`. */
export const migrationChecksum = (data: string | Buffer): string => sha256(data).toString("hex");

/**
 * Prisma's comparison: line endings may differ (git on Windows), and very old
 * engine versions stored the hex without zero padding.
 */
export function checksumMatches(sql: string, recorded: string): boolean {
  const variants = [sql, sql.replaceAll("\r\n", "\n"), sql.replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = sha256(variant);
    const rendered =
      recorded.length !== 64 && recorded.length > 0
        ? Array.from(digest, (byte) => byte.toString(16)).join("")
        : digest.toString("hex");
    return rendered === recorded;
  });
}

/** The migration folders in apply order (name order, as Prisma sorts them). */
export async function listMigrations(dir: string = defaultMigrationsDir()): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name, "migration.sql");
      const bytes = await readFile(path).catch((error: unknown) => {
        throw new Error(`migration ${name} has no readable migration.sql (${path})`, { cause: error });
      });
      return { name, path, sql: bytes.toString("utf8"), checksum: migrationChecksum(bytes) };
    }),
  );
}

export async function applyMigrations(options: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const dir = options.migrationsDir ?? defaultMigrationsDir();
  const migrations = await listMigrations(dir).catch((error: unknown) => {
    throw new Error(`cannot read migrations from ${dir}`, { cause: error });
  });

  const client = new pg.Client({
    connectionString: options.connectionString,
    application_name: "roost-migrate",
  });
  // An idle client's connection error is emitted, not thrown; without a listener it would crash the process.
  client.on("error", (error) => log(`migration connection error: ${error.message}`));
  await client.connect();
  try {
    // lock_timeout also bounds advisory-lock waits; reset it so the migrations themselves are not affected.
    await client.query(`SET lock_timeout = ${Math.max(1, Math.trunc(options.lockTimeoutMs ?? 300_000))}`);
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`).catch((error: unknown) => {
      throw new Error("timed out waiting for another process to finish migrating", { cause: error });
    });
    await client.query("RESET lock_timeout");
    try {
      return await applyLocked(client, migrations, log);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function applyLocked(
  client: pg.Client,
  migrations: MigrationFile[],
  log: (msg: string) => void,
): Promise<{ applied: string[] }> {
  await client.query(MIGRATIONS_TABLE_DDL);
  const { rows } = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at
       FROM _prisma_migrations ORDER BY started_at`,
  );
  // Rolled-back rows are history only, exactly as Prisma treats them.
  const live = rows.filter((row) => row.rolled_back_at === null);

  const failed = live.filter((row) => row.finished_at === null);
  if (failed.length > 0) {
    const details = failed
      .map(
        (row) =>
          `- ${row.migration_name} (started ${row.started_at.toISOString()}): ${row.logs?.trim() || "no logs"}`,
      )
      .join("\n");
    throw new Error(
      `refusing to migrate: failed migrations are recorded in _prisma_migrations:\n${details}\n` +
        "Check the database, then mark each one rolled back (`prisma migrate resolve --rolled-back <name>`, or " +
        "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '<name>' AND finished_at IS NULL).",
    );
  }

  const byName = new Map(migrations.map((migration) => [migration.name, migration]));
  const edited = live.filter((row) => {
    const file = byName.get(row.migration_name);
    return file !== undefined && !checksumMatches(file.sql, row.checksum);
  });
  if (edited.length > 0) {
    throw new Error(
      `refusing to migrate: applied migrations were modified afterwards: ${edited.map((row) => row.migration_name).join(", ")}. ` +
        "Restore the committed files and put the change in a new migration.",
    );
  }
  for (const row of live) {
    if (!byName.has(row.migration_name))
      log(`migration ${row.migration_name} is applied but missing from disk`);
  }

  const appliedNames = new Set(live.map((row) => row.migration_name));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (appliedNames.has(migration.name)) continue;
    log(`applying migration ${migration.name}`);
    await applyOne(client, migration);
    applied.push(migration.name);
  }
  log(applied.length === 0 ? "database is up to date" : `applied ${applied.length} migration(s)`);
  return { applied };
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  const startedAt = new Date();
  await client.query("BEGIN");
  try {
    await client.query(
      "INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, $3, $4)",
      [id, migration.checksum, startedAt, migration.name],
    );
    // No parameters: pg uses the simple query protocol, so a file may hold many statements, DO blocks, functions.
    await client.query(migration.sql);
    await client.query(
      `UPDATE _prisma_migrations
          SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
        WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    // The script rolled back, but record the failure as Prisma does so that a person looks before a retry.
    const logs = describeError(error);
    await client
      .query(
        "INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name, logs) VALUES ($1, $2, $3, $4, $5)",
        [id, migration.checksum, startedAt, migration.name, logs],
      )
      .catch(() => {});
    throw new Error(`migration ${migration.name} failed and was rolled back: ${logs}`, { cause: error });
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as Error & { code?: string; position?: string; detail?: string };
  const parts = [details.message];
  if (details.code) parts.push(`SQLSTATE ${details.code}`);
  if (details.position) parts.push(`at character ${details.position}`);
  if (details.detail) parts.push(details.detail);
  return parts.join("; ");
}
