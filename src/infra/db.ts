// PostgreSQL access: one pg pool per process, shared by Prisma (through the adapter)
// and the raw SQL that Prisma cannot express; and, with DATABASE_REPLICA_URL, a second pool and
// client on the read replica, for the reads read-routing.ts sends there.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client.ts";

export interface Database {
  /** The primary: every write, and every read not routed to the replica. */
  prisma: PrismaClient;
  pool: pg.Pool;
  /** The read replica's client and pool, when one is configured. */
  replica: { prisma: PrismaClient; pool: pg.Pool } | undefined;
  /** Pool counts for /metrics. */
  stats(): PoolStats;
  /** The replica pool's counts, when there is one. */
  replicaStats: (() => PoolStats) | undefined;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseOptions {
  url: string;
  /** A read replica (streaming standby) of the same database. */
  replicaUrl?: string;
  /** Connections per pool (the replica has its own). */
  max: number;
  onError?: (error: Error) => void;
}

/**
 * The pool's connection string and session settings: the URL's own `options` (which node-postgres
 * would let win over ours), then JIT off. PostgreSQL compiles a statement whose estimated cost
 * passes jit_above_cost, and search's statements carry the estimates of branches that run only
 * when needed (modules/search/query.ts): compiling took 0.4-1.3 s for searches that execute in
 * a few milliseconds. The app's statements are short.
 */
export function connectionSettings(url: string): { connectionString: string; options: string } {
  const parsed = new URL(url);
  const own = parsed.searchParams.get("options");
  if (own === null) return { connectionString: url, options: "-c jit=off" };
  parsed.searchParams.delete("options");
  return { connectionString: parsed.toString(), options: `${own} -c jit=off` };
}

export function createDatabase({ url, replicaUrl, max, onError }: DatabaseOptions): Database {
  const connect = (connectionUrl: string, role: string) => {
    // node-postgres waits forever for a connection by default; fail instead.
    const pool = new pg.Pool({
      ...connectionSettings(connectionUrl),
      max,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: role,
    });
    // The pool listens for errors on idle clients only. A checked-out client whose connection
    // breaks between two statements (PostgreSQL restarting under an open transaction) emits
    // 'error' too, and an unheard 'error' ends the process: every client gets a listener. The
    // statement that next uses it fails (SERVICE_UNAVAILABLE), and the pool drops it.
    pool.on("connect", (client) => client.on("error", (error) => onError?.(error)));
    pool.on("error", (error) => onError?.(error));
    return { pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) };
  };
  const { pool, prisma } = connect(url, "roost");
  const replica = replicaUrl ? connect(replicaUrl, "roost-replica-reads") : undefined;
  let closed = false;
  const countsOf = (of: pg.Pool) => (): PoolStats => ({
    total: of.totalCount,
    idle: of.idleCount,
    waiting: of.waitingCount,
  });
  return {
    prisma,
    pool,
    replica,
    stats: countsOf(pool),
    replicaStats: replica && countsOf(replica.pool),
    async close() {
      if (closed) return;
      closed = true;
      for (const client of [prisma, replica?.prisma]) await client?.$disconnect();
      for (const each of [pool, replica?.pool]) await each?.end();
    },
  };
}

/** True when PostgreSQL answers a trivial query within the timeout. */
export async function pingDatabase(pool: pg.Pool, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query("SELECT 1"),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
