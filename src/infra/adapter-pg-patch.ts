// Works around @prisma/adapter-pg 7.10.1 reading PostgreSQL's "char" type, for the schema engine only.
//
// The adapter maps result columns to Prisma column types in a module-private
// function that throws for OID 18 ("char", used all over pg_catalog), so every
// catalog inspection by the schema engine fails. We wrap the queryables this
// factory hands out (never the prototypes: the server's client is untouched)
// and report such columns as Character. Relies on adapter internals: checked
// below, and tests/infra/schema-engine.test.ts fails loudly when they change.
import { PrismaPg } from "@prisma/adapter-pg";
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from "@prisma/driver-adapter-utils";
import type pg from "pg";

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Connection fields only: a connection string would make the engine's shadow database the main one. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl?: boolean;
}

interface PgField {
  dataTypeID: number;
}

/** The adapter-internal shape the patch depends on (PgQueryable in adapter-pg's src/pg.ts). */
interface PgQueryableInternals {
  queryRaw(this: PgQueryableInternals, query: SqlQuery): Promise<SqlResultSet>;
  performIO(this: PgQueryableInternals, query: SqlQuery): Promise<{ fields: PgField[] }>;
}

function internalsOf(queryable: object, what: string): PgQueryableInternals {
  const candidate = queryable as Partial<PgQueryableInternals>;
  if (typeof candidate.queryRaw !== "function" || typeof candidate.performIO !== "function") {
    throw new Error(
      `@prisma/adapter-pg internals changed: ${what} has no queryRaw/performIO to patch for the "char" type. ` +
        "Check whether the adapter now maps OID 18 itself and update src/infra/adapter-pg-patch.ts.",
    );
  }
  return candidate as PgQueryableInternals;
}

/** Makes queryRaw of one adapter-pg queryable (adapter or transaction) report "char" columns as Character. */
export function patchCharColumns<T extends SqlDriverAdapter | Transaction>(queryable: T, what: string): T {
  const internals = internalsOf(queryable, what);
  const originalQueryRaw = internals.queryRaw;
  const originalPerformIO = internals.performIO;
  internals.queryRaw = async function (query) {
    const charColumns: number[] = [];
    // A per-call view of `this`, so concurrent queries on one pool cannot mix up their column lists.
    const view = Object.create(this, {
      performIO: {
        value: async (q: SqlQuery) => {
          const result = await originalPerformIO.call(this, q);
          result.fields.forEach((field, index) => {
            if (field.dataTypeID === PG_CHAR_OID) {
              charColumns.push(index);
              // pg has already parsed the value as a string; TEXT only gets it past the type mapping.
              field.dataTypeID = PG_TEXT_OID;
            }
          });
          return result;
        },
      },
    }) as PgQueryableInternals;
    const result = await originalQueryRaw.call(view, query);
    for (const index of charColumns) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

function patchAdapter(
  adapter: SqlDriverAdapter,
  what: string,
  opened: Set<SqlDriverAdapter>,
): SqlDriverAdapter {
  patchCharColumns(adapter, what);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) =>
    patchCharColumns(await startTransaction(isolationLevel), `${what} transaction`);
  // Idempotent dispose, so closing the engine can release whatever the engine itself did not.
  const dispose = adapter.dispose.bind(adapter);
  let disposed: Promise<void> | undefined;
  opened.add(adapter);
  adapter.dispose = () => {
    opened.delete(adapter);
    disposed ??= dispose();
    return disposed;
  };
  return adapter;
}

export interface PatchedPgFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Disposes every adapter (pg pool) this factory opened and that is still open. */
  disposeAll(): Promise<void>;
}

/** A PrismaPg factory whose adapters read "char" columns, built from separate connection fields. */
export function createPatchedPgFactory(target: PgTarget, poolConfig: pg.PoolConfig = {}): PatchedPgFactory {
  const inner = new PrismaPg({
    ...poolConfig,
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: target.ssl,
  });
  if (typeof inner.connect !== "function" || typeof inner.connectToShadowDb !== "function") {
    throw new Error("@prisma/adapter-pg internals changed: PrismaPg lacks connect/connectToShadowDb");
  }
  const opened = new Set<SqlDriverAdapter>();
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => patchAdapter(await inner.connect(), "adapter", opened),
    connectToShadowDb: async () => patchAdapter(await inner.connectToShadowDb(), "shadow adapter", opened),
    disposeAll: async () => {
      await Promise.all([...opened].map((adapter) => adapter.dispose()));
    },
  };
}
