// AppError (src/core/errors.ts) as GraphQL sees it: once, here. Expected errors keep their
// contract code, HTTP status, field errors and retry hint; database failures that mean
// something to clients (PostgreSQL down, a value out of range) get their contract code;
// everything else is masked as INTERNAL_SERVER_ERROR.
import { GraphQLError } from "graphql";
import { type AppError, findAppError } from "../core/errors.ts";
import { contractErrorOf } from "../infra/db-errors.ts";

export function toGraphQLError(error: AppError, at?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: at?.nodes,
    source: at?.source,
    positions: at?.positions,
    path: at?.path,
    originalError: error,
    extensions: {
      code: error.code,
      http: { status: error.status },
      ...(error.fields ? { fields: error.fields } : {}),
      ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
    },
  });
}

/** The contract error behind anything a resolver or plugin threw, if it has one. */
export function contractErrorBehind(error: unknown): AppError | undefined {
  const original = error instanceof GraphQLError ? (error.originalError ?? undefined) : error;
  return findAppError(error) ?? (original ? contractErrorOf(original) : undefined);
}

/** Yoga's maskError: contract errors through, GraphQL's own errors through, the rest masked. */
export function maskUnexpectedError(error: unknown, message: string): Error {
  const at = error instanceof GraphQLError ? error : undefined;
  const contract = contractErrorBehind(error);
  if (contract) return toGraphQLError(contract, at);
  const original = at ? at.originalError : error;
  if (at && (!original || original instanceof GraphQLError)) return at;
  return new GraphQLError("Internal server error", {
    nodes: at?.nodes,
    path: at?.path,
    originalError: original instanceof Error ? original : new Error(message),
    extensions: { code: "INTERNAL_SERVER_ERROR", http: { status: 500 } },
  });
}
