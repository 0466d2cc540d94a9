// PostgreSQL text cannot hold U+0000 (it fails with SQLSTATE 22021): refuse it in every
// string a request carries, arguments and variables alike, before anything runs. Field
// rules refuse the other control characters with messages of their own.
import { type DocumentNode, Kind, visit } from "graphql";
import type { Plugin } from "graphql-yoga";
import { AppError, type FieldError } from "../core/errors.ts";
import { toGraphQLError } from "./errors.ts";

const NUL = "\u0000";

function nulPaths(value: unknown, path: string, found: FieldError[], depth = 0): void {
  if (found.length >= 10 || depth > 20) return;
  if (typeof value === "string") {
    if (value.includes(NUL)) found.push({ path, message: "must not contain NUL characters" });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) =>
      nulPaths(item, path ? `${path}.${index}` : String(index), found, depth + 1),
    );
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      nulPaths(item, path ? `${path}.${key}` : key, found, depth + 1);
    }
  }
}

function literalHasNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(NUL)) found = true;
    },
    [Kind.FIELD]: { enter: () => (found ? false : undefined) },
  });
  return found;
}

export function useNulGuard(): Plugin {
  const refuse = (fields: FieldError[]) =>
    toGraphQLError(new AppError("BAD_USER_INPUT", "Text must not contain NUL characters", { fields }));
  const check = (args: { document: DocumentNode; variableValues?: unknown }) => {
    const fields: FieldError[] = [];
    nulPaths(args.variableValues ?? {}, "", fields);
    // Variables' paths start with the variable's name; `input.title` is reported as `title`.
    const relative = fields.map((field) => ({ ...field, path: field.path.replace(/^input\./, "") }));
    if (relative.length) return refuse(relative);
    if (literalHasNul(args.document))
      return refuse([{ path: "", message: "must not contain NUL characters" }]);
    return undefined;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
