// Fixed-window rate limits on the shared store, counted before the work they guard. When
// the shared store is unreachable, limits are counted in this process instead, so an
// outage loosens them (one window per process) but never lifts them.
import { createHmac } from "node:crypto";
import { AppError } from "../core/errors.ts";
import { type KeyValueStore, memoryStore } from "./kv.ts";
import type { Logger } from "./logger.ts";

export interface RateLimitRule {
  /** Distinguishes limits in keys and logs, e.g. "login:ip". */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimiterOptions {
  /** Keys subjects (e-mail addresses, IPs) by HMAC, so none is readable in the store. */
  keySecret: string;
  /** Milliseconds now, for the in-process fallback's windows (the app's clock). */
  now?: () => number;
}

export class RateLimiter {
  private readonly fallback: KeyValueStore;
  private readonly keyHmacKey: Buffer;

  constructor(
    private readonly store: KeyValueStore,
    private readonly logger: Logger,
    options: RateLimiterOptions,
  ) {
    // Its own key, derived, so the secret it comes from (the JWT key) is used for one thing only.
    this.keyHmacKey = createHmac("sha256", options.keySecret).update("roost:rate-limit-keys").digest();
    this.fallback = memoryStore(options.now);
  }

  /**
   * Counts one attempt atomically and throws RATE_LIMITED, with the window's remaining
   * seconds, once the window holds more than the limit. Call it before the work it limits,
   * so concurrent attempts cannot all pass a check made before any of them was counted.
   */
  async hit(rule: RateLimitRule, subject: string): Promise<void> {
    const key = this.keyOf(rule, subject);
    let result: { count: number; ttlSeconds: number };
    try {
      result = await this.store.increment(key, rule.windowSeconds);
    } catch (error) {
      this.logger.warn({ err: error, rule: rule.name }, "rate limit store unavailable; counting in process");
      result = await this.fallback.increment(key, rule.windowSeconds);
    }
    if (result.count > rule.limit) throw rateLimited(result.ttlSeconds);
  }

  /** Starts the subject's window afresh (a successful log-in forgets the failures). */
  async reset(rule: RateLimitRule, subject: string): Promise<void> {
    const key = this.keyOf(rule, subject);
    await this.fallback.del(key);
    await this.store.del(key).catch((error: unknown) => {
      this.logger.warn({ err: error, rule: rule.name }, "rate limit store unavailable; not reset");
    });
  }

  /** The store key of a rule's window for a subject: the subject only as a keyed hash. */
  keyOf(rule: Pick<RateLimitRule, "name">, subject: string): string {
    const digest = createHmac("sha256", this.keyHmacKey).update(subject).digest("base64url");
    return `rl:${rule.name}:${digest}`;
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }
}

function rateLimited(retryAfter: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return new AppError("RATE_LIMITED", `Too many attempts; try again in ${seconds} s`, {
    retryAfter: seconds,
  });
}
