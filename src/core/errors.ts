// The one application error: a contract code (CONTRACT.md §4), a message safe to show,
// field errors for bad input and a retry hint. Transport-neutral: GraphQL maps it in
// src/graphql/errors.ts, the REST facade will map it once more; anything else is masked.

/** Contract codes and their HTTP status. */
export const errorStatus = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DATES_UNAVAILABLE: 409,
  INVALID_STATE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYMENT_FAILED: 402,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  PERSISTED_QUERY_NOT_FOUND: 400,
  PERSISTED_QUERY_ONLY: 400,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.hasOwn(errorStatus, value);

export interface FieldError {
  /** Path inside the mutation input, dot-separated ("address.city", "photos.2.url"). */
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly fields: FieldError[] | undefined;
  /** Seconds after which a retry may succeed (RATE_LIMITED, SERVICE_UNAVAILABLE). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { fields?: FieldError[]; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fields = options.fields;
    this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export const badInput = (fields: FieldError[], message = "Invalid input"): AppError =>
  new AppError("BAD_USER_INPUT", message, { fields });

export const notFound = (what = "Resource"): AppError => new AppError("NOT_FOUND", `${what} not found`);

export const unauthenticated = (message = "Authentication required"): AppError =>
  new AppError("UNAUTHENTICATED", message);

export const forbidden = (message = "Not allowed"): AppError => new AppError("FORBIDDEN", message);

export const invalidState = (message: string): AppError => new AppError("INVALID_STATE", message);

/** Finds an AppError behind wrapping (GraphQL's originalError, an Error's cause). */
export function findAppError(error: unknown): AppError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof AppError) return current;
    const wrapper = current as { originalError?: unknown; cause?: unknown };
    current = wrapper.originalError ?? wrapper.cause;
  }
  return undefined;
}
