// Structured JSON logs (pino); each request logs through a child carrying its request id.
// Logs never carry secrets: keys that name one are censored at any depth, and errors are
// logged as a summary (type, code, first line) since driver and GraphQL messages can quote
// arguments and documents.
import { pino } from "pino";
import { sqlState } from "./db-errors.ts";

export type Logger = pino.Logger;

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|^email$|^variables$|^query$|^document$/i;
const CENSOR = "[redacted]";

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "roost" },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: describeError, error: describeError },
      formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
    },
    destination,
  );
}

/** A copy with every value under a secret-looking key censored, at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return describeError(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEY.test(key) ? CENSOR : redactSecrets(item, depth + 1);
  }
  return copy;
}

export interface ErrorSummary {
  type: string;
  message: string;
  code?: string;
  sqlState?: string;
  stack?: string;
  cause?: ErrorSummary;
}

/**
 * What a log needs of an error. Only the first line of the message: Prisma appends the
 * invocation with its arguments, and GraphQL errors print the document around a location.
 */
export function describeError(error: unknown, depth = 0): ErrorSummary {
  if (!(error instanceof Error)) return { type: typeof error, message: "non-error thrown" };
  const code = (error as { code?: unknown }).code;
  const state = sqlState(error);
  const firstLine = error.message.split("\n").find((line) => line.trim() !== "") ?? "";
  const stackFrames = error.stack
    ?.split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .slice(0, 8)
    .join("\n");
  return {
    type: error.name,
    message: firstLine.slice(0, 300),
    ...(typeof code === "string" && { code }),
    ...(state && { sqlState: state }),
    ...(stackFrames && { stack: stackFrames }),
    ...(error.cause !== undefined && depth < 3 && { cause: describeError(error.cause, depth + 1) }),
  };
}
