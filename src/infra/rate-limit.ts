// Fixed-window rate limits on the shared store. If the store is unreachable the limit
// is not enforced (logged), rather than locking every user out.
import { AppError } from "../core/errors.ts";
import type { KeyValueStore } from "./kv.ts";
import type { Logger } from "./logger.ts";

export interface RateLimitRule {
  /** Distinguishes limits in keys and logs, e.g. "login:ip". */
  name: string;
  limit: number;
  windowSeconds: number;
}

export class RateLimiter {
  constructor(
    private readonly store: KeyValueStore,
    private readonly logger: Logger,
  ) {}

  /** Counts one hit; throws RATE_LIMITED once the window holds more than the limit. */
  async hit(rule: RateLimitRule, subject: string): Promise<void> {
    const result = await this.count(rule, subject);
    if (result && result.count > rule.limit) throw rateLimited(result.ttlSeconds);
  }

  /** Throws RATE_LIMITED if the window is already full, without counting. */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    try {
      const value = await this.store.get(key(rule, subject));
      if (value !== null && Number(value) >= rule.limit) throw rateLimited(rule.windowSeconds);
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.logger.warn({ err: error, rule: rule.name }, "rate limit store unavailable");
    }
  }

  async reset(rule: RateLimitRule, subject: string): Promise<void> {
    await this.store.del(key(rule, subject)).catch(() => undefined);
  }

  async count(rule: RateLimitRule, subject: string) {
    try {
      return await this.store.increment(key(rule, subject), rule.windowSeconds);
    } catch (error) {
      this.logger.warn({ err: error, rule: rule.name }, "rate limit store unavailable");
      return undefined;
    }
  }
}

const key = (rule: RateLimitRule, subject: string) => `rl:${rule.name}:${subject}`;

function rateLimited(retryAfter: number): AppError {
  return new AppError("RATE_LIMITED", `Too many attempts; try again in ${retryAfter} s`, { retryAfter });
}
