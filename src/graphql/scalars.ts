// Date (calendar date, YYYY-MM-DD) and DateTime (ISO-8601 instant, printed in UTC).
import { GraphQLError, Kind } from "graphql";
import { formatCalendarDate, parseCalendarDate } from "../core/calendar-date.ts";
import { builder } from "./builder.ts";

function parseDate(value: unknown): string {
  if (typeof value !== "string" || !parseCalendarDate(value)) {
    throw new GraphQLError("Date must be a real calendar date formatted YYYY-MM-DD");
  }
  return value;
}

builder.scalarType("Date", {
  description: "A calendar date, YYYY-MM-DD (no time, no zone): check-in and check-out days.",
  serialize: (value) => (value instanceof Date ? formatCalendarDate(value) : parseDate(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDateTime(value: unknown): Date {
  if (
    typeof value === "string" &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new GraphQLError("DateTime must be an ISO-8601 instant with a zone, e.g. 2027-03-01T12:00:00Z");
}

builder.scalarType("DateTime", {
  description: "An instant, ISO-8601 in UTC.",
  serialize: (value) => (value instanceof Date ? value : parseDateTime(value)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
