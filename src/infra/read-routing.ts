// Which database a read that may lag goes to. With DATABASE_REPLICA_URL, the read paths that opt in
// (search and listing pages: the public, hot, cacheable ones) read the replica, except for a
// signed-in user who wrote within the read-your-writes window: their reads stay on the primary,
// so they see what they just did. The mark is a key in the shared store (Redis), so it holds on
// every API instance; without Redis the store is this process, which is then the only one.
// A replica that cannot be reached is skipped for a few seconds: those reads use the primary.
//
// Opt-in, not every read: a mutation's payload, a subscription event's entity (published right
// after commit), an idempotency or "already sent?" check, a session just created at sign-up, each
// reads what was just written and must not see a replica behind it. Everything else reads app.db.
import type { Db } from "./db.ts";
import { isDatabaseUnavailable } from "./db-errors.ts";
import type { KeyValueStore } from "./kv.ts";
import type { Logger } from "./logger.ts";

/** A client for lag-tolerant reads, and how far behind the primary what it reads may be. */
export interface ReadSource {
  db: Db;
  /** 0 on the primary; on the replica, the lag allowed for (a cache fed by it must not keep older). */
  lagMs: number;
}

export interface ReadRouter {
  /** The largest lag a routed read may have: 0 without a replica. */
  readonly maxLagMs: number;
  /**
   * Runs a read-only `work` on this viewer's source (userId undefined: anonymous): the replica,
   * or the primary for a recent writer, or when the replica is unreachable (then `work` runs
   * again on the primary). `work` must only read.
   */
  read<T>(userId: string | undefined, work: (source: ReadSource) => Promise<T>): Promise<T>;
  /** This user is writing: their routed reads use the primary for the window from now. */
  noteWrite(userId: string): Promise<void>;
}

export interface ReadRouterOptions {
  primary: Db;
  /** Unset: every read goes to the primary and nothing is marked. */
  replica: Db | undefined;
  store: KeyValueStore;
  /** How long after a write the writer reads the primary; also the lag allowed for. */
  windowMs: number;
  logger: Logger;
  /** After a failure to reach the replica, how long reads skip it. */
  replicaRetryMs?: number;
}

const wroteKey = (userId: string) => `read-primary:${userId}`;

export function createReadRouter(options: ReadRouterOptions): ReadRouter {
  const { primary, replica, store, windowMs, logger } = options;
  const onPrimary: ReadSource = { db: primary, lagMs: 0 };
  if (!replica) {
    return { maxLagMs: 0, read: (_userId, work) => work(onPrimary), noteWrite: async () => undefined };
  }
  const onReplica: ReadSource = { db: replica, lagMs: windowMs };
  const retryMs = options.replicaRetryMs ?? 5_000;
  let skipReplicaUntil = 0;

  async function sourceFor(userId: string | undefined): Promise<ReadSource> {
    if (Date.now() < skipReplicaUntil) return onPrimary;
    if (!userId) return onReplica;
    try {
      return (await store.exists(wroteKey(userId))) ? onPrimary : onReplica;
    } catch (error) {
      // Not knowing whether they just wrote, read what they certainly see: the primary.
      logger.warn({ err: error }, "read-your-writes mark unavailable; reading the primary");
      return onPrimary;
    }
  }

  return {
    maxLagMs: windowMs,
    async read(userId, work) {
      const source = await sourceFor(userId);
      if (source === onPrimary) return work(onPrimary);
      try {
        return await work(onReplica);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        skipReplicaUntil = Date.now() + retryMs;
        logger.warn({ err: error, retryMs }, "read replica unreachable; reading the primary");
        return work(onPrimary);
      }
    },
    async noteWrite(userId) {
      if (windowMs <= 0) return;
      try {
        await store.set(wroteKey(userId), "1", windowMs / 1000);
      } catch (error) {
        logger.warn({ err: error }, "could not mark a write for read-your-writes");
      }
    },
  };
}
