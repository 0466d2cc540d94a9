// Yoga plugins: query limits, contract error codes, and error logging.
import { type DocumentNode, GraphQLError, type GraphQLSchema, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context.ts";
import type { Metrics } from "../infra/metrics.ts";
import { AppError, isErrorCode } from "../core/errors.ts";
import { contractErrorBehind, toGraphQLError } from "./errors.ts";
import { exceededLimit, measureOperation, type QueryLimits } from "./limits.ts";

/** Refuses documents over the token limit at parse time and operations over the others before they run. */
export function useQueryLimits(limits: QueryLimits & { maxTokens: number }): Plugin<Context> {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          // graphql 16 says "more that N tokens"; later versions fix the typo.
          if (error instanceof GraphQLError && /more tha[nt] \d+ tokens/.test(error.message)) {
            throw toGraphQLError(
              new AppError("QUERY_TOO_COMPLEX", `Document exceeds the limit of ${limits.maxTokens} tokens`),
            );
          }
          throw error;
        }
      });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const reason = checkLimits(args, limits);
      if (reason)
        setResultAndStopExecution({ errors: [toGraphQLError(new AppError("QUERY_TOO_COMPLEX", reason))] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const reason = checkLimits(args, limits);
      if (reason)
        setResultAndStopExecution({ errors: [toGraphQLError(new AppError("QUERY_TOO_COMPLEX", reason))] });
    },
  };
}

function checkLimits(
  args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
  },
  limits: QueryLimits,
): string | undefined {
  const measure = measureOperation(args.document, args.operationName, args.variableValues ?? {}, {
    schema: args.schema,
    limits,
  });
  return measure && exceededLimit(measure, limits);
}

/**
 * Gives every error a contract code. Errors raised before execution (syntax, unknown
 * fields, variables that fail coercion) are the client's input: BAD_USER_INPUT.
 */
export function useErrorCodes(metrics: Metrics): Plugin<Context> {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !isResultWithErrors(result)) return;
      const errors = result.errors.map((error) => {
        const code = error.extensions?.code;
        const known = isErrorCode(code);
        metrics.graphqlErrors.inc({ code: known ? code : "BAD_USER_INPUT" });
        if (known) return error;
        return new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          originalError: error.originalError,
          extensions: {
            http: { status: 400 },
            ...error.extensions,
            code: "BAD_USER_INPUT",
            ...fieldsOfCoercionError(error.message),
          },
        });
      });
      setResult({ ...result, errors });
    },
  };
}

/**
 * graphql-js reports a variable that fails coercion in prose; recover the field for
 * `extensions.fields` (paths inside `input` are relative to it, as for validation errors).
 */
export function fieldsOfCoercionError(message: string): {
  fields?: Array<{ path: string; message: string }>;
} {
  const match = /^Variable "\$(\w+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s.exec(message);
  if (!match) return {};
  const [, variable = "", at, reason = ""] = match;
  const missing = /^Field "(\w+)" of required type "[^"]+" was not provided\.$/.exec(reason);
  let path = at ?? variable;
  if (missing?.[1]) path = `${path}.${missing[1]}`;
  path = path.replace(/^input(\.|$)/, "");
  return { fields: [{ path: path || variable, message: missing ? "is required" : reason }] };
}

function isResultWithErrors(result: unknown): result is { errors: GraphQLError[] } {
  return (
    typeof result === "object" && result !== null && Array.isArray((result as { errors?: unknown }).errors)
  );
}

/**
 * Logs resolver failures that will be masked, with the request's logger (request id, user)
 * and the operation's name: never the document or its variables, which can hold secrets.
 */
export function useErrorLogging(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (!isResultWithErrors(result)) return;
          for (const error of result.errors) {
            const original = error.originalError;
            if (original && !(original instanceof GraphQLError) && !contractErrorBehind(error)) {
              args.contextValue.log.error(
                {
                  err: original,
                  path: error.path?.join("."),
                  operationName: args.operationName ?? undefined,
                },
                "unexpected resolver error",
              );
            }
          }
        },
      };
    },
  };
}
