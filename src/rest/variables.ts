// An HTTP request's parts (path, query string, JSON body, Idempotency-Key) as the variables
// of a route's operation, checked against the variables' GraphQL types so that bad input is
// answered at the edge with REST names in `fields` ("checkIn", "near.lat"), not "input.checkIn".
import {
  coerceInputValue,
  type GraphQLInputType,
  getNamedType,
  getNullableType,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  isListType,
} from "graphql";
import type { FieldError } from "../core/errors.ts";
import type { CompiledRoute, VariablePath } from "./route-table.ts";

export type Variables = Record<string, unknown>;

export interface RequestParts {
  pathValues: readonly string[];
  query: URLSearchParams;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  idempotencyKey: string | null;
}

export type MappedVariables = { variables: Variables } | { fields: FieldError[] };

/** A query-string value as the JSON value its GraphQL type reads (left as is when it cannot be one). */
function fromQueryString(value: string, type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (named === GraphQLInt) return /^[+-]?\d+$/.test(value) ? Number(value) : value;
  if (named === GraphQLFloat) {
    return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  if (named === GraphQLBoolean) return value === "true" ? true : value === "false" ? false : value;
  return value;
}

function place(variables: Variables, target: VariablePath, value: unknown): void {
  let node = variables;
  target.forEach((key, index) => {
    if (index === target.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) {
      node = next as Variables;
    } else {
      const created: Variables = {};
      node[key] = created;
      node = created;
    }
  });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The REST name of a variable path: flattened variables (input, filter) drop their own name. */
function restPath(route: CompiledRoute, path: ReadonlyArray<string | number>): string {
  const [first, ...rest] = path;
  const parts = typeof first === "string" && route.flattened.has(first) ? rest : path;
  return parts.join(".");
}

/** graphql-js's coercion messages, reworded where they name the GraphQL side. */
function fieldError(route: CompiledRoute, path: ReadonlyArray<string | number>, error: Error): FieldError {
  const missing = /^Field "(\w+)" of required type "[^"]+" was not provided\.$/.exec(error.message);
  if (missing?.[1]) return { path: restPath(route, [...path, missing[1]]), message: "is required" };
  const unknown = /^Field "(\w+)" is not defined by type "[^"]+"\./.exec(error.message);
  if (unknown?.[1]) return { path: restPath(route, [...path, unknown[1]]), message: "is not a known field" };
  if (/^Expected non-nullable type "[^"]+" not to be null\.$/.test(error.message)) {
    return { path: restPath(route, path), message: "is required" };
  }
  return { path: restPath(route, path), message: error.message };
}

export function mapVariables(route: CompiledRoute, parts: RequestParts): MappedVariables {
  const variables: Variables = {};
  const fields: FieldError[] = [];

  route.pathParams.forEach((parameter, index) => {
    place(variables, parameter.target, parts.pathValues[index]);
  });

  const known = new Map(route.queryParams.map((parameter) => [parameter.name, parameter]));
  for (const name of new Set(parts.query.keys())) {
    const parameter = known.get(name);
    if (!parameter) {
      fields.push({ path: name, message: "is not a parameter of this route" });
      continue;
    }
    const values = parts.query.getAll(name);
    if (isListType(getNullableType(parameter.type))) {
      place(
        variables,
        parameter.target,
        values.map((value) => fromQueryString(value, parameter.type)),
      );
    } else if (values.length > 1) {
      fields.push({ path: name, message: "is given more than once" });
    } else {
      place(variables, parameter.target, fromQueryString(values[0] ?? "", parameter.type));
    }
  }

  if (route.body) {
    if (parts.body !== undefined && !isPlainObject(parts.body)) {
      return { fields: [{ path: "", message: "the request body must be a JSON object" }] };
    }
    const pathNames = new Set(route.pathParams.map((parameter) => parameter.target.at(-1)));
    for (const [name, value] of Object.entries(parts.body ?? {})) {
      if (pathNames.has(name)) {
        fields.push({ path: name, message: "is given by the path; leave it out of the body" });
        continue;
      }
      place(variables, [...route.body.target, name], value);
    }
    // An operation whose body fills `input` still gets an (empty) input when nothing was sent.
    if (route.body.target.length > 0 && variables[route.body.target[0] ?? ""] === undefined) {
      place(variables, route.body.target, {});
    }
  } else if (parts.body !== undefined) {
    fields.push({ path: "", message: `${route.method} ${route.path} takes no request body` });
  }

  if (parts.idempotencyKey !== null) {
    if (route.idempotencyKey) place(variables, route.idempotencyKey, parts.idempotencyKey);
  }

  for (const [name, type] of route.variableTypes) {
    coerceInputValue(variables[name], type, (path, _invalid, error) => {
      fields.push(fieldError(route, [name, ...path], error));
    });
  }
  return fields.length > 0 ? { fields } : { variables };
}
