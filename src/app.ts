// The services one Roost process holds (database, store, pub/sub, limits, metrics),
// built from config and closed together.
import type { Config } from "./config.ts";
import { Cache } from "./infra/cache.ts";
import { type Clock, systemClock } from "./infra/clock.ts";
import { createDatabase, type Database, type Db } from "./infra/db.ts";
import { type KeyValueStore, memoryStore, redisStore } from "./infra/kv.ts";
import { createLogger, type Logger } from "./infra/logger.ts";
import { createMetrics, type Metrics } from "./infra/metrics.ts";
import { createAppPubSub, type PubSub } from "./infra/pubsub.ts";
import { createPaymentProvider } from "./modules/payments/providers.ts";
import type { PaymentProvider } from "./modules/payments/provider.ts";
import { RateLimiter } from "./infra/rate-limit.ts";
import { createReadRouter, type ReadRouter } from "./infra/read-routing.ts";
import { createRedis, type Redis, redisReady } from "./infra/redis.ts";

export interface App {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** The primary. */
  db: Db;
  database: Database;
  /** Where reads that may lag go: the replica, or the primary (infra/read-routing.ts). */
  reads: ReadRouter;
  /** Set when REDIS_URL is; readiness checks it. */
  redis: Redis | undefined;
  kv: KeyValueStore;
  cache: Cache;
  rateLimiter: RateLimiter;
  pubsub: PubSub;
  metrics: Metrics;
  /** The payment provider: built-in, or Stripe when STRIPE_SECRET_KEY is set. */
  payments: PaymentProvider;
  close(): Promise<void>;
}

export interface AppOptions {
  /** The database to use: config.databaseUrl, or an embedded server's. */
  databaseUrl: string;
  clock?: Clock;
  logger?: Logger;
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = createDatabase({
    url: options.databaseUrl,
    replicaUrl: config.databaseReplicaUrl,
    max: config.databasePoolMax,
    onError: (error) => logger.error({ err: error }, "idle PostgreSQL client failed"),
  });

  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  if (config.redisUrl) {
    redis = createRedis(config.redisUrl, { keyPrefix: config.redisKeyPrefix });
    subscriber = createRedis(config.redisUrl, { subscriber: true });
    redis.on("error", (error) => logger.warn({ err: error }, "redis error"));
    subscriber.on("error", (error) => logger.warn({ err: error }, "redis subscriber error"));
  }
  const pubsubRedis =
    redis && subscriber && config.redisUrl
      ? {
          // No offline queue: a publish while Redis is down fails, and the outbox delivers later.
          publish: createRedis(config.redisUrl),
          subscribe: subscriber,
          channelPrefix: config.redisKeyPrefix,
          onSubscriptionError: (error: unknown) =>
            logger.warn({ err: error }, "redis subscription change failed"),
        }
      : undefined;
  pubsubRedis?.publish.on("error", (error) => logger.warn({ err: error }, "redis publisher error"));
  // The publisher too: without an offline queue, an event raised while it still connects fails.
  if (redis && pubsubRedis) {
    try {
      await Promise.all([redisReady(redis), redisReady(pubsubRedis.publish)]);
    } catch (error) {
      // Not started: nothing this call made may keep reconnecting in the background.
      for (const client of [redis, subscriber, pubsubRedis.publish]) client?.disconnect();
      await database.close();
      throw error;
    }
  }

  const clock = options.clock ?? systemClock;
  // In-process windows follow the app's clock, so an injected clock moves them too.
  const now = () => clock.now().getTime();
  const kv = redis ? redisStore(redis) : memoryStore(now);
  const metrics = createMetrics(database.stats, database.replicaStats);
  const rateLimiter = new RateLimiter(kv, logger, { keySecret: config.jwtSecret, now });
  const payments = createPaymentProvider(config, { databaseUrl: options.databaseUrl, clock, logger });
  if (config.isProduction && !config.mail.smtpUrl) {
    logger.warn(
      { outboxDir: config.mail.outboxDir },
      "SMTP_URL is not set: e-mail is written to files, nobody receives it",
    );
  }
  if (config.isProduction && new URL(config.apiUrl).hostname === "localhost") {
    logger.warn(
      { apiUrl: config.apiUrl },
      "API_URL is not set: links to this API (data exports, calendar feeds) point at localhost",
    );
  }

  return {
    config,
    logger,
    clock,
    db: database.prisma,
    database,
    reads: createReadRouter({
      primary: database.prisma,
      replica: database.replica?.prisma,
      store: kv,
      windowMs: config.readYourWritesMs,
      logger,
    }),
    redis,
    kv,
    cache: new Cache(kv, metrics, logger, config.cacheTtlSeconds),
    rateLimiter,
    pubsub: createAppPubSub(pubsubRedis),
    metrics,
    payments: payments.provider,
    async close() {
      await rateLimiter.close();
      await payments.close();
      await kv.close();
      for (const client of [subscriber, pubsubRedis?.publish]) {
        await client?.quit().catch(() => client.disconnect());
      }
      await database.close();
    },
  };
}
