// The one place that reads process.env: validated, typed, with defaults per environment.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/client-ip.ts";

const booleanString = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Set: search and listing pages read from this streaming replica (README, "Scale-out"). */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** How far the replica may lag: a user's reads go to the primary this long after their writes. */
  READ_YOUR_WRITES_SECONDS: z.coerce.number().min(0).max(3_600).default(5),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  REDIS_KEY_PREFIX: z.string().default("roost:"),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** During a rotation: the secret being retired, still accepted on access tokens, never signed with. */
  JWT_SECRET_PREVIOUS: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  GRAPHQL_PERSISTED_ONLY: booleanString.optional(),
  DATA_DIR: z.string().default(".data"),
  WORKER_IN_PROCESS: booleanString.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
  /** A worker silent this long is presumed dead and its jobs are handed to the others. */
  WORKER_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
  SEED_DEMO_DATA: booleanString.optional(),
  SERVICE_FEE_PERCENT: z.coerce.number().min(0).max(50).default(14),
  TAX_PERCENT: z.coerce.number().min(0).max(50).default(0),
  /** Set: e-mail goes out over SMTP (smtp:// or smtps://); unset: .eml files in MAIL_OUTBOX_DIR. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** Where e-mails are written as .eml files when SMTP_URL is unset. */
  MAIL_OUTBOX_DIR: z.string().optional(),
  MAIL_FROM: z.string().min(3).default("Roost <no-reply@roost.example>"),
  MESSAGE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** The web app's address, for links in e-mails. */
  APP_URL: z.url().default("http://localhost:3000"),
  /** This API's public address, for links to its own routes (data export downloads, calendar feeds). */
  API_URL: z.url().optional(),
  /** Hours a data export's download link works. */
  DATA_EXPORT_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(24),
  /** Data exports one user may request per 24 hours. */
  DATA_EXPORTS_PER_DAY: z.coerce.number().int().min(1).max(1000).default(3),
  /** How often each calendar import is fetched again. */
  CALENDAR_SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(5).max(1440).default(60),
  /** Lets calendar imports fetch loopback and private addresses (tests, a feed inside your network). */
  CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES: booleanString.default(false),
  HOST_FEE_PERCENT: z.coerce.number().min(0).max(50).default(3),
  BOOKING_HORIZON_DAYS: z.coerce.number().int().min(1).max(730).default(365),
  /** Hours a request-to-book waits for the host before it expires. */
  BOOKING_REQUEST_TTL_HOURS: z.coerce.number().min(0.01).max(168).default(24),
  /** Hours after the listing-local check-in when the host is paid. */
  PAYOUT_DELAY_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(24),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Tests and local stubs only: where the Stripe SDK sends its requests, as http(s)://host:port. */
  STRIPE_API_URL: z.url().optional(),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  RESPONSE_CACHE: booleanString.optional(),
  SIGNUP_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(20),
  LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000).default(5),
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(50),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  CORS_ORIGINS: z.string().transform(parseWith(parseCorsOrigins)).optional(),
  TRUST_PROXY: z.string().transform(parseWith(parseTrustProxy)).default({ hops: 0 }),
  METRICS_TOKEN: z
    .string()
    .refine((value) => value === "" || value.length >= 16, "must be at least 16 characters")
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env["NODE_ENV"];
  isProduction: boolean;
  host: string;
  port: number;
  /** Unset: an embedded PostgreSQL is started under dataDir. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  /**
   * Set: a read-only replica for the reads that may lag (search, listing pages); unset: every
   * read goes to the primary (infra/read-routing.ts).
   */
  databaseReplicaUrl: string | undefined;
  /**
   * The replica lag allowed for: for this long after a signed-in user's mutation their routed
   * reads use the primary, and an answer read from the replica is not cached when something it
   * shows changed more recently than this.
   */
  readYourWritesMs: number;
  /** Unset: in-memory cache, rate limits and pub/sub (a single process). */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  jwtSecret: string;
  /** Accepted for verification only, while the access tokens it signed expire (a rotation). */
  jwtPreviousSecret: string | undefined;
  logLevel: NonNullable<Env["LOG_LEVEL"]>;
  persistedOnly: boolean;
  dataDir: string;
  workerInProcess: boolean;
  workerConcurrency: number;
  /** Workers record a heartbeat; one silent this long has its jobs unlocked (infra/worker-heartbeat.ts). */
  workerHeartbeatTimeoutMs: number;
  /** Load demo listings when the database holds no users. */
  seedDemoData: boolean;
  auth: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** Failed log-ins per account per window before RATE_LIMITED. */
    loginFailuresPerAccount: number;
    /** Log-in attempts per client IP per window. */
    loginAttemptsPerIp: number;
    loginWindowSeconds: number;
    /** Accounts created per client IP per hour. */
    signUpsPerIpPerHour: number;
  };
  pricing: {
    /** Guest service fee in basis points of the stay's subtotal. */
    serviceFeeBps: number;
    taxBps: number;
    /** Host fee in basis points of the host's share (nights after discount plus cleaning fee). */
    hostFeeBps: number;
  };
  /** The web app's address, for links in e-mails (no trailing slash). */
  appUrl: string;
  /** This API's public address (no trailing slash), for links to its own routes. */
  apiUrl: string;
  privacy: {
    /** How long a data export's download link works. */
    exportTtlMs: number;
    /** Data exports one user may request per 24 hours. */
    exportsPerDay: number;
  };
  calendarSync: {
    /** How long after its last attempt an import is fetched again. */
    intervalMs: number;
    /** False (the default): feeds on loopback, private and link-local addresses are refused. */
    allowPrivateAddresses: boolean;
    fetch: {
      connectTimeoutMs: number;
      /** The longest wait for the next bytes (headers or body). */
      readTimeoutMs: number;
      /** The whole fetch, redirects included. */
      totalTimeoutMs: number;
      maxBytes: number;
      maxRedirects: number;
    };
  };
  mail: {
    /** Set: SMTP; unset: .eml files in outboxDir. */
    smtpUrl: string | undefined;
    outboxDir: string;
    from: string;
  };
  messaging: {
    /** Messages one user may send per minute before RATE_LIMITED. */
    messagesPerMinute: number;
  };
  bookings: {
    /** Check-in at most this many days past the listing's local today. */
    horizonDays: number;
    /** How long a request-to-book waits for the host. */
    requestTtlMs: number;
    /** How long after the listing-local check-in the host is paid. */
    payoutDelayMs: number;
  };
  payments: {
    /** Set: the Stripe provider; unset: the built-in provider (contract section 7). */
    stripe: { secretKey: string; webhookSecret: string | undefined; apiUrl: string | undefined } | undefined;
  };
  /** Upper bound on how long any cached entry lives. */
  cacheTtlSeconds: number;
  /** Whole answers of persisted public reads, served before execution (graphql/response-cache.ts). */
  responseCache: boolean;
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
  };
  http: {
    /** "*": any origin, without credentials; a list: those origins, with credentials; []: no CORS headers. */
    corsOrigins: "*" | string[];
    /** Which peers' X-Forwarded-For is believed; { hops: 0 }: none, the socket's address is the client. */
    trustProxy: TrustProxy;
    /** Set: GET /metrics requires `Authorization: Bearer <token>`. */
    metricsToken: string | undefined;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === "production";
  const dataDir = resolve(env.DATA_DIR);

  if (isProduction && !env.JWT_SECRET) {
    throw new ConfigError("Invalid configuration:\n  JWT_SECRET: required in production (32+ characters)");
  }
  if (isProduction && !env.DATABASE_URL) {
    throw new ConfigError("Invalid configuration:\n  DATABASE_URL: required in production");
  }

  return {
    env: env.NODE_ENV,
    isProduction,
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseReplicaUrl: env.DATABASE_REPLICA_URL,
    readYourWritesMs: Math.round(env.READ_YOUR_WRITES_SECONDS * 1000),
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    jwtSecret: env.JWT_SECRET ?? developmentJwtSecret(dataDir),
    jwtPreviousSecret: env.JWT_SECRET_PREVIOUS,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
    persistedOnly: env.GRAPHQL_PERSISTED_ONLY ?? isProduction,
    dataDir,
    workerInProcess: env.WORKER_IN_PROCESS,
    workerConcurrency: env.WORKER_CONCURRENCY,
    workerHeartbeatTimeoutMs: Math.round(env.WORKER_HEARTBEAT_TIMEOUT_SECONDS * 1000),
    seedDemoData: env.SEED_DEMO_DATA ?? !isProduction,
    auth: {
      accessTokenTtlSeconds: 15 * 60,
      refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
      loginFailuresPerAccount: env.LOGIN_LIMIT_PER_ACCOUNT,
      loginAttemptsPerIp: env.LOGIN_LIMIT_PER_IP,
      loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
      signUpsPerIpPerHour: env.SIGNUP_LIMIT_PER_HOUR,
    },
    pricing: {
      serviceFeeBps: Math.round(env.SERVICE_FEE_PERCENT * 100),
      taxBps: Math.round(env.TAX_PERCENT * 100),
      hostFeeBps: Math.round(env.HOST_FEE_PERCENT * 100),
    },
    appUrl: env.APP_URL.replace(/\/+$/, ""),
    apiUrl: (env.API_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    privacy: {
      exportTtlMs: Math.round(env.DATA_EXPORT_TTL_HOURS * 3_600_000),
      exportsPerDay: env.DATA_EXPORTS_PER_DAY,
    },
    calendarSync: {
      intervalMs: env.CALENDAR_SYNC_INTERVAL_MINUTES * 60_000,
      allowPrivateAddresses: env.CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES,
      fetch: {
        connectTimeoutMs: 5_000,
        readTimeoutMs: 10_000,
        totalTimeoutMs: 30_000,
        maxBytes: 1_000_000,
        maxRedirects: 5,
      },
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      // Production images write nothing under the app's folder (it belongs to root): there the
      // fallback outbox is the temporary folder, and start-up warns that nobody receives mail.
      outboxDir: resolve(
        env.MAIL_OUTBOX_DIR ?? (isProduction ? join(tmpdir(), "roost-mail") : join(dataDir, "mail")),
      ),
      from: env.MAIL_FROM,
    },
    messaging: { messagesPerMinute: env.MESSAGE_LIMIT_PER_MINUTE },
    bookings: {
      horizonDays: env.BOOKING_HORIZON_DAYS,
      requestTtlMs: Math.round(env.BOOKING_REQUEST_TTL_HOURS * 3_600_000),
      payoutDelayMs: Math.round(env.PAYOUT_DELAY_HOURS * 3_600_000),
    },
    payments: {
      stripe: env.STRIPE_SECRET_KEY
        ? {
            secretKey: env.STRIPE_SECRET_KEY,
            webhookSecret: env.STRIPE_WEBHOOK_SECRET,
            apiUrl: env.STRIPE_API_URL,
          }
        : undefined,
    },
    cacheTtlSeconds: env.CACHE_TTL_SECONDS,
    responseCache: env.RESPONSE_CACHE ?? true,
    // Cost counts resolved fields, each list multiplying by its bound (graphql/limits.ts). The
    // heaviest operation we ship, SearchListings at 100 results, costs about 19,600: 30,000 leaves
    // it room to grow, while one page of 100 listings with a year of nights each costs ~183,000.
    limits: { maxDepth: 10, maxAliases: 20, maxCost: 30_000, maxTokens: 3_000 },
    http: {
      corsOrigins: env.CORS_ORIGINS ?? (isProduction ? [] : "*"),
      trustProxy: env.TRUST_PROXY,
      metricsToken: env.METRICS_TOKEN || undefined,
    },
  };
}

/** Turns a parser that throws into a zod transform that reports the variable by name. */
function parseWith<T>(parse: (value: string) => T) {
  return (value: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  };
}

/** CORS_ORIGINS: "*" or a comma list of origins (scheme://host[:port]); "null" is never one. */
function parseCorsOrigins(value: string): "*" | string[] {
  const text = value.trim();
  if (text === "*") return "*";
  if (text === "") return [];
  return text.split(",").map((part) => {
    const given = part.trim();
    let url: URL | undefined;
    try {
      url = new URL(given);
    } catch {
      // reported below
    }
    const bare = url && url.pathname === "/" && !url.search && !url.hash && !url.username;
    if (!url || !bare || !/^https?:$/.test(url.protocol)) {
      throw new Error(`"${given}" is not an origin like https://app.example.com`);
    }
    return url.origin;
  });
}

/** Outside production a secret is generated once and kept, so tokens survive restarts. */
function developmentJwtSecret(dataDir: string): string {
  const file = join(dataDir, "jwt-secret");
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: fall through and create it
  }
  const secret = randomBytes(48).toString("base64url");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
