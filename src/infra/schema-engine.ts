// Tooling only (never on the server start-up path): Prisma's WebAssembly schema engine, used to diff schemas.
import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type {
  DiffParams,
  DiffTarget,
  MigrationList,
  SchemaEngine,
} from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { createPatchedPgFactory, type PgTarget } from "./adapter-pg-patch.ts";
import { withDatabase } from "./database-url.ts";
import { applyMigrations, defaultMigrationsDir, listMigrations } from "./migrations.ts";

export type { PgTarget } from "./adapter-pg-patch.ts";

type Glue = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

export const defaultSchemaPath = (): string =>
  fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));

// The engine's timers (e.g. the 10 s race around its advisory lock) would hold the process open after use;
// they are tracked so the last engine to close can clear them.
const pendingTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;
let gluePromise: Promise<Glue> | undefined;

/** Engine timers still pending (for tests: 0 once every engine is closed). */
export const pendingEngineTimers = (): number => pendingTimers.size;

/**
 * Instantiates the engine once per process: the glue keeps the wasm instance in a module variable, so a
 * second instantiation would pull the memory from under engines already open.
 */
function loadGlue(): Promise<Glue> {
  gluePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    // The CLI's own wasm has exactly the CLI's engine version; the npm package supplies the JS glue.
    const wasmPath = join(dirname(require.resolve("prisma/package.json")), "build", "schema_engine_bg.wasm");
    const glue: Glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const imports: Record<string, unknown> = { ...glue };
    const timerImports = WebAssembly.Module.imports(module).filter((entry) =>
      entry.name.startsWith("__wbg_setTimeout_"),
    );
    for (const { name } of timerImports) {
      imports[name] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          callback();
        }, ms >>> 0);
        pendingTimers.add(timer);
        return timer;
      };
    }
    const missing = WebAssembly.Module.imports(module).filter((entry) => !(entry.name in imports));
    if (missing.length > 0) {
      throw new Error(
        `prisma's schema_engine_bg.wasm does not match @prisma/schema-engine-wasm's glue (missing ${missing
          .map((entry) => entry.name)
          .join(", ")}): align the two package versions`,
      );
    }
    const instance = await WebAssembly.instantiate(module, {
      "./schema_engine_bg.js": imports,
    } as WebAssembly.Imports);
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return gluePromise;
}

export interface OpenEngineOptions {
  target: PgTarget;
  schemaPath?: string;
  /** Receives the engine's JSON log lines. */
  log?: (line: string) => void;
}

export interface EngineHandle {
  engine: SchemaEngine;
  schema: { path: string; content: string };
  diff(
    params: Pick<DiffParams, "from" | "to"> & Partial<DiffParams>,
  ): Promise<{ script: string; empty: boolean }>;
  close(): Promise<void>;
}

/** Opens an engine connected to `target` (it connects at once), with schema.prisma as its datamodel. */
export async function openSchemaEngine(options: OpenEngineOptions): Promise<EngineHandle> {
  const glue = await loadGlue();
  const path = resolve(options.schemaPath ?? defaultSchemaPath());
  const content = await readFile(path, "utf8");
  const factory = createPatchedPgFactory(options.target, { max: 2, idleTimeoutMillis: 1_000 });
  const log = options.log ?? (() => {});
  openEngines += 1;
  let engine: SchemaEngine;
  try {
    engine = await glue.SchemaEngine.new(
      { datamodels: [[path, content]] },
      log,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
  } catch (error) {
    await releaseEngineResources(factory.disposeAll);
    throw error;
  }
  let closed = false;
  return {
    engine,
    schema: { path, content },
    async diff(params) {
      // exitCode: true makes the engine report a non-empty diff as 2, which is sturdier than parsing the script.
      const result = await engine.diff({ script: true, filters: emptyFilters, ...params, exitCode: true });
      return { script: result.stdout ?? "", empty: result.exitCode === 0 };
    },
    async close() {
      if (closed) return;
      closed = true;
      engine.free();
      await releaseEngineResources(factory.disposeAll);
    },
  };
}

async function releaseEngineResources(disposeAll: () => Promise<void>): Promise<void> {
  openEngines -= 1;
  await disposeAll();
  if (openEngines === 0) {
    for (const timer of pendingTimers) clearTimeout(timer);
    pendingTimers.clear();
  }
}

export const emptyFilters = { externalTables: [], externalEnums: [] };

/** The committed migrations in the shape the engine's own migrate commands take. */
export async function loadMigrationsList(dir: string = defaultMigrationsDir()): Promise<MigrationList> {
  const lockfile = await readFile(join(dir, "migration_lock.toml"), "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockfile },
    shadowDbInitScript: "",
    migrationDirectories: (await listMigrations(dir)).map((migration) => ({
      path: migration.name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: migration.sql } },
    })),
  };
}

export function schemaDatamodelTarget(schema: { path: string; content: string }): DiffTarget {
  return { tag: "schemaDatamodel", files: [schema] };
}

export function schemaDatasourceTarget(schema: { path: string; content: string }): DiffTarget {
  return { tag: "schemaDatasource", files: [schema], configDir: dirname(schema.path) };
}

/** Parses a postgres URL into separate fields (see PgTarget for why). */
export function pgTargetFromUrl(url: string, database?: string): PgTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`not a postgres URL: ${parsed.protocol}//…`);
  }
  const sslmode = parsed.searchParams.get("sslmode");
  return {
    host: decodeURIComponent(parsed.hostname) || "localhost",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || "postgres",
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: database ?? (decodeURIComponent(parsed.pathname.slice(1)) || "postgres"),
    ssl: sslmode !== null && sslmode !== "disable" ? true : undefined,
  };
}

/** What turns the live database into schema.prisma; empty when they agree. */
export async function diffDatabaseAgainstSchema(
  options: OpenEngineOptions,
): Promise<{ script: string; empty: boolean }> {
  const handle = await openSchemaEngine(options);
  try {
    return await handle.diff({
      from: schemaDatasourceTarget(handle.schema),
      to: schemaDatamodelTarget(handle.schema),
    });
  } finally {
    await handle.close();
  }
}

export interface DiffMigrationsOptions {
  /** Any database on the server; a scratch database is created and dropped next to it. */
  adminUrl: string;
  schemaPath?: string;
  migrationsDir?: string;
  log?: (msg: string) => void;
}

/**
 * The SQL that takes the committed migrations to schema.prisma. Applies them to a scratch database with our
 * own applier (no shadow database, no adapter executeScript, which splits on ";"), then diffs that database
 * against the datamodel. CHECKs, exclusion constraints and triggers are invisible to the diff.
 */
export async function diffMigrationsAgainstSchema(
  options: DiffMigrationsOptions,
): Promise<{ script: string; empty: boolean }> {
  const scratch = `roost_scratch_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${scratch}"`);
    try {
      const migrationsDir = options.migrationsDir ?? defaultMigrationsDir();
      if (await hasMigrationsDir(migrationsDir)) {
        await applyMigrations({
          connectionString: withDatabase(options.adminUrl, scratch),
          migrationsDir,
          log: options.log,
        });
      }
      return await diffDatabaseAgainstSchema({
        target: pgTargetFromUrl(options.adminUrl, scratch),
        schemaPath: options.schemaPath,
      });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

async function hasMigrationsDir(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
