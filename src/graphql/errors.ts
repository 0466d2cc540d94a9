// The one application error: a contract code (CONTRACT.md §4), a message safe to show,
// and field errors for bad input. Anything else is masked as INTERNAL_SERVER_ERROR.
import { GraphQLError } from "graphql";

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
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldError {
  /** Path inside the mutation input, dot-separated ("address.city", "photos.2.url"). */
  path: string;
  message: string;
}

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  readonly fields: FieldError[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { fields?: FieldError[]; retryAfter?: number } = {},
  ) {
    super(message, {
      extensions: {
        code,
        http: { status: errorStatus[code] },
        ...(options.fields ? { fields: options.fields } : {}),
        ...(options.retryAfter !== undefined ? { retryAfter: options.retryAfter } : {}),
      },
    });
    this.name = "AppError";
    this.code = code;
    this.fields = options.fields;
  }
}

export const badInput = (fields: FieldError[], message = "Invalid input"): AppError =>
  new AppError("BAD_USER_INPUT", message, { fields });

export const notFound = (what = "Resource"): AppError => new AppError("NOT_FOUND", `${what} not found`);

export const unauthenticated = (message = "Authentication required"): AppError =>
  new AppError("UNAUTHENTICATED", message);

export const forbidden = (message = "Not allowed"): AppError => new AppError("FORBIDDEN", message);

/** Finds an AppError behind GraphQL's wrapping (resolver errors arrive as originalError). */
export function findAppError(error: unknown): AppError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof AppError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}
