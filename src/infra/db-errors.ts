// Database failures in one place: by SQLSTATE (and the driver's connection errors) to
// contract errors. Domain meanings (which unique value was taken, what an overlap means)
// come from the caller; infra knows only the generic ones.
import { AppError } from "../core/errors.ts";

interface DriverErrorShape {
  code?: unknown;
  errorCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: {
    target?: unknown;
    driverAdapterError?: { cause?: { originalCode?: unknown; constraint?: unknown; kind?: unknown } };
  };
}

/** The PostgreSQL SQLSTATE behind a Prisma or pg error, if any. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const shape = error as DriverErrorShape;
  const original = shape.meta?.driverAdapterError?.cause?.originalCode;
  if (typeof original === "string") return original;
  // pg errors carry the SQLSTATE directly; Prisma's P2002 is a unique violation.
  if (typeof shape.code === "string" && /^[0-9A-Z]{5}$/.test(shape.code)) return shape.code;
  if (shape.code === "P2002") return "23505";
  return undefined;
}

export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === "23505";
export const isExclusionViolation = (error: unknown): boolean => sqlState(error) === "23P01";
export const isCheckViolation = (error: unknown): boolean => sqlState(error) === "23514";
/** Serialization failures and deadlocks: safe to retry the whole transaction. */
export const isRetryable = (error: unknown): boolean => {
  const state = sqlState(error);
  return state === "40001" || state === "40P01";
};

const UNREACHABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "DatabaseDoesNotExist",
]);
const UNREACHABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);

/**
 * True when PostgreSQL could not be reached or dropped the connection (as opposed to
 * refusing a statement): connection-exception SQLSTATEs, a server shutting down, the
 * pool's connect timeout, the driver's socket errors.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const shape = current as DriverErrorShape;
    const state = sqlState(current);
    if (state && (state.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(state)))
      return true;
    const kind = shape.meta?.driverAdapterError?.cause?.kind;
    if (typeof kind === "string" && UNREACHABLE_KINDS.has(kind)) return true;
    if (typeof shape.code === "string" && UNREACHABLE_NODE_CODES.has(shape.code)) return true;
    if (shape.errorCode === "P1001" || shape.code === "P1001" || shape.code === "P2024") return true;
    if (
      typeof shape.message === "string" &&
      // The last: pg's answer on a client whose connection broke, e.g. inside a transaction
      // when the server went away between two of its statements.
      /timeout exceeded when trying to connect|Connection terminated|has encountered a connection error and is not queryable/i.test(
        shape.message,
      )
    ) {
      return true;
    }
    current = shape.cause;
  }
  return false;
}

/** What constraint violations mean in one use case. */
export interface DatabaseErrorMeanings {
  unique?: AppError;
  exclusion?: AppError;
  check?: AppError;
}

/** How long clients should wait before retrying while PostgreSQL is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The contract error for a database failure, or undefined when it has no meaning for
 * clients (then it is masked as INTERNAL_SERVER_ERROR and logged).
 */
export function contractErrorOf(error: unknown, meanings: DatabaseErrorMeanings = {}): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isUniqueViolation(error) && meanings.unique) return meanings.unique;
  if (isExclusionViolation(error) && meanings.exclusion) return meanings.exclusion;
  if (isCheckViolation(error))
    return meanings.check ?? new AppError("BAD_USER_INPUT", "A value is out of range");
  // 22xxx: data exceptions (a value PostgreSQL cannot store: out of range, bad encoding).
  if (sqlState(error)?.startsWith("22")) return new AppError("BAD_USER_INPUT", "A value cannot be stored");
  if (isDatabaseUnavailable(error)) {
    return new AppError("SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly", {
      retryAfter: DATABASE_RETRY_AFTER_SECONDS,
    });
  }
  return undefined;
}

/** Rethrows a database failure as its contract error when it has one, else untouched. */
export function mapDatabaseError(error: unknown, meanings: DatabaseErrorMeanings = {}): never {
  throw contractErrorOf(error, meanings) ?? error;
}

/** Runs fn, retrying serialization failures a bounded number of times with jitter. */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 20));
    }
  }
}
