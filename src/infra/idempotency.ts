// Client idempotency keys: a mutation retried with the same key returns its first outcome
// instead of running twice. Keys are scoped to the user and kept 24 h (idempotency_keys).
// The row is claimed before the work runs and committed at once, so a concurrent request
// with the same key sees it and waits; it is then completed with the response or a decided
// error, or released (deleted) when the failure says nothing final about the request, so
// the client may retry with the same key.
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CronItem, Task } from "graphile-worker";
import { AppError, badInput, type ErrorCode, type FieldError, isErrorCode } from "../core/errors.ts";
import type { Clock } from "./clock.ts";
import type { Db, Prisma } from "./db.ts";
import { mapDatabaseError } from "./db-errors.ts";
import type { Logger } from "./logger.ts";

export interface IdempotencyScope {
  userId: string;
  key: string;
  /** The operation's name ("requestBooking"): the same key on another operation is a reuse. */
  operation: string;
  /** The operation's input as the client sent it (without the key); hashed, never stored. */
  input: unknown;
}

/** How a result is stored for replays (often just an id) and brought back. */
export interface IdempotencyCodec<T> {
  save(value: T): Prisma.InputJsonValue;
  load(stored: Prisma.JsonValue): Promise<T> | T;
}

export interface IdempotencyDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An unfinished claim this old belongs to a process that died: another may take it over. */
const ABANDONED_AFTER_MS = 2 * 60 * 1000;
/** How long a request waits for a concurrent one with the same key before giving up. */
const WAIT_DEADLINE_MS = 30_000;
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;
const WAIT_RETRY_AFTER_SECONDS = 2;
const MAX_KEY_LENGTH = 255;

/**
 * Failures that are the request's answer (the same request would get it again): stored and
 * replayed. Any other failure (bad input, a missing row, an outage, a bug) releases the key.
 */
export const DECIDED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "DATES_UNAVAILABLE",
  "PAYMENT_FAILED",
  "INVALID_STATE",
  "CONFLICT",
]);

interface StoredError {
  code: ErrorCode;
  message: string;
  fields?: FieldError[];
}

/** The `response` column: a saved value or a decided error, told apart by the key. */
type StoredOutcome = { value: Prisma.JsonValue } | { error: StoredError };

/** The key as given, or BAD_USER_INPUT on `path` when it is missing, too long or not plain text. */
export function validateIdempotencyKey(key: string | null | undefined, path = "idempotencyKey"): string {
  const refuse = (message: string) => badInput([{ path, message }], message);
  if (key === null || key === undefined || key.trim() === "") {
    throw refuse("An idempotency key is required");
  }
  if ([...key].length > MAX_KEY_LENGTH) {
    throw refuse(`An idempotency key has at most ${MAX_KEY_LENGTH} characters`);
  }
  if (/\p{Cc}/u.test(key)) throw refuse("An idempotency key must not contain control characters");
  // A lone surrogate would reach PostgreSQL as U+FFFD, so two different keys could collide.
  if (/\p{Cs}/u.test(key)) throw refuse("An idempotency key must be valid Unicode text");
  return key;
}

/** JSON with object keys sorted at every depth, so equal inputs hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value !== "object") return JSON.stringify(value) ?? "null";
  const { toJSON } = value as { toJSON?: unknown };
  if (typeof toJSON === "function") return canonicalJson((toJSON as () => unknown).call(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined && typeof item !== "function" && typeof item !== "symbol")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
  return `{${entries.join(",")}}`;
}

const hashRequest = (operation: string, input: unknown): string =>
  createHash("sha256").update(canonicalJson({ operation, input })).digest("hex");

/**
 * Runs `run` at most once per (user, key) within 24 h: a replay gets the stored outcome,
 * a concurrent duplicate waits for it, the same key on another request is refused.
 */
export async function idempotent<T>(
  deps: IdempotencyDeps,
  scope: IdempotencyScope,
  codec: IdempotencyCodec<T>,
  run: () => Promise<T>,
): Promise<T> {
  const requestHash = hashRequest(scope.operation, scope.input);
  const deadline = Date.now() + WAIT_DEADLINE_MS;
  let pause = FIRST_POLL_MS;
  for (;;) {
    const claim = await claimKey(deps, scope, requestHash);
    if (claim.kind === "claimed") return runClaimed(deps, claim.id, codec, run);
    if (claim.kind === "completed") return replay(claim.response, codec);
    if (Date.now() + pause > deadline) {
      throw new AppError(
        "SERVICE_UNAVAILABLE",
        "A request with this idempotency key is still in progress; retry shortly",
        { retryAfter: WAIT_RETRY_AFTER_SECONDS },
      );
    }
    // Jitter, so that waiters released together do not poll in lockstep.
    await sleep(pause * (0.75 + Math.random() * 0.5));
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}

type Claim =
  | { kind: "claimed"; id: string }
  | { kind: "completed"; response: Prisma.JsonValue | null }
  | { kind: "in-progress" };

/** Takes the key, or says who has it. Expired and abandoned rows are deleted, then retaken. */
async function claimKey(deps: IdempotencyDeps, scope: IdempotencyScope, requestHash: string): Promise<Claim> {
  const { db, clock, logger } = deps;
  const { userId, key, operation } = scope;
  // Each pass either decides or removes what was in the way (a stale row, a lost insert race).
  for (let pass = 0; pass < 5; pass++) {
    const now = clock.now();
    const row = await db.idempotencyKey
      .findUnique({ where: { userId_key: { userId, key } } })
      .catch(mapDatabaseError);
    if (!row) {
      const id = randomUUID();
      const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
      // ON CONFLICT DO NOTHING: of concurrent first requests exactly one inserts.
      const { count } = await db.idempotencyKey
        .createMany({
          data: [{ id, userId, key, operation, requestHash, createdAt: now, expiresAt }],
          skipDuplicates: true,
        })
        .catch(mapDatabaseError);
      if (count === 1) return { kind: "claimed", id };
      continue;
    }
    if (row.expiresAt < now) {
      await deleteIf(db, row.id, { expiresAt: { lt: now } });
      continue;
    }
    if (row.requestHash !== requestHash) {
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        "This idempotency key was already used for a different request",
      );
    }
    if (row.completedAt) return { kind: "completed", response: row.response };
    const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS);
    if (row.createdAt < abandonedBefore) {
      logger.warn({ operation, createdAt: row.createdAt }, "taking over an abandoned idempotency key");
      await deleteIf(db, row.id, { completedAt: null, createdAt: { lt: abandonedBefore } });
      continue;
    }
    return { kind: "in-progress" };
  }
  return { kind: "in-progress" };
}

/** Deletes the row only while it is still the stale one seen, so one taker wins. */
async function deleteIf(db: Db, id: string, stale: Prisma.IdempotencyKeyWhereInput): Promise<void> {
  await db.idempotencyKey.deleteMany({ where: { id, ...stale } }).catch(mapDatabaseError);
}

async function runClaimed<T>(
  deps: IdempotencyDeps,
  id: string,
  codec: IdempotencyCodec<T>,
  run: () => Promise<T>,
): Promise<T> {
  let value: T;
  try {
    value = await run();
  } catch (error) {
    if (error instanceof AppError && DECIDED_CODES.has(error.code)) {
      const { code, message, fields } = error;
      const stored = { code, message, ...(fields && { fields: fields.map((f) => ({ ...f })) }) };
      await complete(deps, id, () => ({ error: stored }));
    } else {
      await release(deps, id);
    }
    throw error;
  }
  await complete(deps, id, () => ({ value: codec.save(value) }));
  return value;
}

/**
 * Stores the outcome. The work has happened by now, so a failure here is logged, not
 * thrown: the caller gets its answer, and the unfinished row is taken over once abandoned.
 */
async function complete(
  deps: IdempotencyDeps,
  id: string,
  outcome: () => Prisma.InputJsonObject,
): Promise<void> {
  try {
    const { count } = await deps.db.idempotencyKey.updateMany({
      where: { id, completedAt: null },
      data: { response: outcome(), completedAt: deps.clock.now() },
    });
    if (count === 0) deps.logger.warn({ id }, "idempotency key taken over before its request completed");
  } catch (error) {
    deps.logger.error({ err: error, id }, "could not store an idempotent request's outcome");
  }
}

/** Frees the key for a retry. On failure the row stays until it counts as abandoned. */
async function release(deps: IdempotencyDeps, id: string): Promise<void> {
  try {
    await deps.db.idempotencyKey.deleteMany({ where: { id } });
  } catch (error) {
    deps.logger.warn({ err: error, id }, "could not release an idempotency key");
  }
}

async function replay<T>(response: Prisma.JsonValue | null, codec: IdempotencyCodec<T>): Promise<T> {
  const outcome = parseOutcome(response);
  if ("value" in outcome) return codec.load(outcome.value);
  const { code, message, fields } = outcome.error;
  throw new AppError(code, message, fields ? { fields } : {});
}

function parseOutcome(response: Prisma.JsonValue | null): StoredOutcome {
  if (isObject(response)) {
    if ("value" in response && response.value !== undefined) return { value: response.value };
    const error = response.error;
    if (isObject(error) && isErrorCode(error.code) && typeof error.message === "string") {
      const fields = Array.isArray(error.fields)
        ? error.fields.flatMap((field) => (isFieldError(field) ? [field] : []))
        : undefined;
      return { error: { code: error.code, message: error.message, ...(fields && { fields }) } };
    }
  }
  throw new Error("An idempotency key's stored response is not an outcome");
}

const isObject = (value: unknown): value is Record<string, Prisma.JsonValue | undefined> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isFieldError = (value: unknown): value is FieldError =>
  isObject(value) && typeof value.path === "string" && typeof value.message === "string";

/** Deletes keys past their 24 h; returns how many. */
export async function pruneIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const { count } = await db.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}

/** The worker task that prunes expired keys; safe to run twice or late. */
export const idempotencyTasks = (deps: IdempotencyDeps): { idempotency_prune: Task } => ({
  idempotency_prune: async () => {
    const count = await pruneIdempotencyKeys(deps.db, deps.clock.now());
    deps.logger.debug({ count }, "pruned expired idempotency keys");
  },
});

/** Its schedule, for startWorker's `crontab`: hourly; a missed hour is not made up. */
export const idempotencyCronItems: CronItem[] = [
  {
    task: "idempotency_prune",
    identifier: "idempotency_prune",
    match: "17 * * * *",
    options: { backfillPeriod: 0, maxAttempts: 3, jobKey: "idempotency_prune" },
  },
];
