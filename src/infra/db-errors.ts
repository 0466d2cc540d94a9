// Maps database failures to contract errors in one place, by SQLSTATE.
import { AppError } from "../graphql/errors.ts";

interface DriverErrorShape {
  code?: unknown;
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
/** Serialization failures and deadlocks: safe to retry the whole transaction. */
export const isRetryable = (error: unknown): boolean => {
  const state = sqlState(error);
  return state === "40001" || state === "40P01";
};

/**
 * Translates constraint violations that carry a business meaning; anything else is
 * rethrown untouched (and later masked as INTERNAL_SERVER_ERROR).
 */
export function mapDatabaseError(
  error: unknown,
  messages: { unique?: AppError; exclusion?: AppError } = {},
): never {
  if (error instanceof AppError) throw error;
  if (isUniqueViolation(error) && messages.unique) throw messages.unique;
  if (isExclusionViolation(error)) {
    throw (
      messages.exclusion ??
      new AppError("DATES_UNAVAILABLE", "The listing is not available on some of those nights")
    );
  }
  throw error;
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
