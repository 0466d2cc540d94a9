// A small key-value store over Redis, or over process memory when REDIS_URL is unset.
// Cache, rate limits and session revocation are built on it.
import type { Redis } from "./redis.ts";

export interface KeyValueStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip, in order. */
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * The value of `key` while it is current, else null. Its first line is the JSON of
   * `{ tags: string[], versions: string[] }` (the rest is the caller's), and it is current while
   * each `versionPrefix + tag` key still holds the version recorded for it ("0" when absent).
   * One round trip on Redis (a script), where a get and then the versions would take two. As
   * bytes: a cached answer goes to the socket as read, without a UTF-8 decode and re-encode.
   */
  getCurrent(key: string, versionPrefix: string): Promise<Buffer | null>;
  /** Sets the key only when it holds nothing; false when another value was there first. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Increments a counter whose window starts at the first increment. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; ttlSeconds: number }>;
  close(): Promise<void>;
}

/** The header of a value getCurrent reads: its namespaces and their versions when it was stored. */
interface VersionedHeader {
  tags: string[];
  versions: string[];
}

function headerOf(value: string): VersionedHeader {
  const newline = value.indexOf("\n");
  return JSON.parse(newline < 0 ? value : value.slice(0, newline)) as VersionedHeader;
}

// getCurrent on Redis. The version keys are built inside the script from the value it read, so
// it names keys it was not given in KEYS: fine on one Redis (what Roost runs on), not on a
// cluster. ARGV[1] carries the connection's key prefix, which ioredis adds to KEYS only.
const GET_CURRENT = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local newline = string.find(value, '\\n', 1, true)
local header = cjson.decode(newline and string.sub(value, 1, newline - 1) or value)
for i, tag in ipairs(header.tags) do
  local current = redis.call('GET', ARGV[1] .. tag) or '0'
  if current ~= header.versions[i] then return false end
end
return value`;

type RedisWithGetCurrent = Redis & {
  /** ioredis defines the Buffer-returning twin of every custom command. */
  roostGetCurrentBuffer(key: string, versionPrefix: string): Promise<Buffer | null>;
};

export function redisStore(redis: Redis): KeyValueStore {
  // defineCommand sends the script once (EVALSHA after, EVAL again if Redis lost it).
  if (!("roostGetCurrent" in redis))
    redis.defineCommand("roostGetCurrent", { numberOfKeys: 1, lua: GET_CURRENT });
  const scripted = redis as RedisWithGetCurrent;
  const prefix = redis.options.keyPrefix ?? "";
  return {
    kind: "redis",
    get: (key) => redis.get(key),
    getCurrent: (key, versionPrefix) => scripted.roostGetCurrentBuffer(key, prefix + versionPrefix),
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
    async getCurrent(key, versionPrefix) {
      const value = live(key)?.value;
      if (value === undefined) return null;
      const { tags, versions } = headerOf(value);
      const current = tags.every((tag, i) => (live(versionPrefix + tag)?.value ?? "0") === versions[i]);
      return current ? Buffer.from(value) : null;
    },
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
