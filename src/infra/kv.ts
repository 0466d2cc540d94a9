// A small key-value store over Redis, or over process memory when REDIS_URL is unset.
// Cache, rate limits and session revocation are built on it.
import type { Redis } from "./redis.ts";

export interface KeyValueStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip, in order. */
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only when it holds nothing; false when another value was there first. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Increments a counter whose window starts at the first increment. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; ttlSeconds: number }>;
  close(): Promise<void>;
}

export function redisStore(redis: Redis): KeyValueStore {
  return {
    kind: "redis",
    get: (key) => redis.get(key),
    getMany: async (keys) => (keys.length === 0 ? [] : redis.mget(...keys)),
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, "EX", Math.max(1, Math.ceil(ttlSeconds)));
    },
    async setIfAbsent(key, value, ttlSeconds) {
      return (await redis.set(key, value, "EX", Math.max(1, Math.ceil(ttlSeconds)), "NX")) === "OK";
    },
    async del(...keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async exists(key) {
      return (await redis.exists(key)) === 1;
    },
    async increment(key, windowSeconds) {
      // NX keeps the window fixed: later increments do not extend it.
      const result = await redis.multi().incr(key).expire(key, windowSeconds, "NX").ttl(key).exec();
      if (!result) throw new Error("Redis transaction aborted");
      const count = Number(result[0]?.[1]);
      const ttl = Number(result[2]?.[1]);
      return { count, ttlSeconds: ttl > 0 ? ttl : windowSeconds };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function memoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  // Expired entries are also swept now and then so an idle key cannot pile up.
  const sweep = setInterval(() => {
    for (const key of entries.keys()) live(key);
  }, 60_000);
  sweep.unref();
  return {
    kind: "memory",
    get: async (key) => live(key)?.value ?? null,
    getMany: async (keys) => keys.map((key) => live(key)?.value ?? null),
    async set(key, value, ttlSeconds) {
      entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
      return true;
    },
    async del(...keys) {
      for (const key of keys) entries.delete(key);
    },
    exists: async (key) => live(key) !== undefined,
    async increment(key, windowSeconds) {
      const entry = live(key);
      const next = entry
        ? { value: String(Number(entry.value) + 1), expiresAt: entry.expiresAt }
        : { value: "1", expiresAt: now() + windowSeconds * 1000 };
      entries.set(key, next);
      return { count: Number(next.value), ttlSeconds: Math.ceil((next.expiresAt - now()) / 1000) };
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
