// Redis connections. Commands fail fast while Redis is down (no offline queue), so
// callers can degrade (skip the cache) instead of hanging.
import { Redis } from "ioredis";

export type { Redis };

export function createRedis(url: string, options: { keyPrefix?: string; subscriber?: boolean } = {}): Redis {
  return new Redis(url, {
    keyPrefix: options.keyPrefix,
    lazyConnect: false,
    enableOfflineQueue: options.subscriber ?? false,
    maxRetriesPerRequest: options.subscriber ? null : 1,
    connectTimeout: 2_000,
    // A Redis that accepts connections but stops answering must not hang requests (or a
    // unit of work's publish): commands fail and callers degrade.
    commandTimeout: options.subscriber ? undefined : 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      redis.ping(),
      new Promise<string>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    return answer === "PONG";
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the connection is ready (or fails), so start-up reports a bad URL at once. */
export function redisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}
