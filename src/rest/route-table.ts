// The REST facade's routes, compiled at start-up from codegen's route table
// (schema/generated/rest-routes.json, from `# @route` comments) and the persisted documents
// they name. Nothing here is per route: a route is an operation plus the rules below for
// where each part of an HTTP request lands in the operation's variables.
import {
  type FragmentDefinitionNode,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from "graphql";
import routeEntries from "../../schema/generated/rest-routes.json" with { type: "json" };
import { persistedOperations } from "../graphql/persisted-operations.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteEntry {
  method: HttpMethod;
  path: string;
  operation: string;
  summary?: string;
}

/** Where a value lands: a variable name, then input-object fields ("input", "bookingId"). */
export type VariablePath = readonly string[];

export interface RouteParameter {
  /** The name in the URL: the path segment's `{name}` or the query parameter. */
  name: string;
  target: VariablePath;
  type: GraphQLInputType;
  required: boolean;
  description?: string;
}

export interface RouteBody {
  /** The variable the body's fields fill: an input object ("input"), or [] for the variables themselves. */
  target: VariablePath;
  /** The fields a body may carry (the path's and the header's are taken out). */
  fields: Array<{ name: string; type: GraphQLInputType; required: boolean; description?: string }>;
}

export interface CompiledRoute {
  method: HttpMethod;
  path: string;
  /** The path as a RegExp whose groups are the path parameters, in order. */
  pattern: RegExp;
  summary?: string;
  operationName: string;
  operationType: "query" | "mutation";
  operation: OperationDefinitionNode;
  fragments: FragmentDefinitionNode[];
  /** The persisted document's sha256 (bare hex): what the facade executes. */
  hash: string;
  /**
   * The response key of the operation's root field, whose data is the response body; null
   * when the operation selects several (`notifications` and `unreadNotificationCount`):
   * then the body is the data object itself.
   */
  rootField: string | null;
  pathParams: RouteParameter[];
  queryParams: RouteParameter[];
  body: RouteBody | null;
  /** Where `Idempotency-Key` goes, when the operation takes one. */
  idempotencyKey: VariablePath | null;
  /** Variables taken apart into parameters or body fields, whose error paths drop the variable's name. */
  flattened: ReadonlySet<string>;
  variableTypes: ReadonlyMap<string, GraphQLInputType>;
}

/** "bookings" → "bookingId": the id a `{id}` after that segment stands for. */
function entityIdFor(segment: string): string {
  const singular = segment.endsWith("ies")
    ? `${segment.slice(0, -3)}y`
    : segment.endsWith("s")
      ? segment.slice(0, -1)
      : segment;
  return `${singular.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}Id`;
}

function inputObjectOf(type: GraphQLInputType | undefined): GraphQLInputObjectType | undefined {
  if (!type) return undefined;
  const nullable = getNullableType(type);
  return isInputObjectType(nullable) ? nullable : undefined;
}

/** Leaf query parameters of an input object, nested objects as dotted names ("near.lat"). */
function flattenFields(
  object: GraphQLInputObjectType,
  prefix: VariablePath,
  namePrefix: string,
  required: boolean,
  depth = 0,
): RouteParameter[] {
  const parameters: RouteParameter[] = [];
  for (const field of Object.values(object.getFields())) {
    const nested = inputObjectOf(field.type);
    const name = `${namePrefix}${field.name}`;
    const fieldRequired = required && isNonNullType(field.type);
    if (nested && depth < 2) {
      parameters.push(
        ...flattenFields(nested, [...prefix, field.name], `${name}.`, fieldRequired, depth + 1),
      );
    } else if (isLeafType(getNamedType(field.type))) {
      // A leaf, or a list of leaves given as a repeated parameter (?amenityCodes=a&amenityCodes=b).
      parameters.push({
        name,
        target: [...prefix, field.name],
        type: field.type,
        required: fieldRequired,
        ...(field.description && { description: field.description }),
      });
    } else {
      throw new Error(`${name} cannot be a query parameter: lists of objects need a request body`);
    }
  }
  return parameters;
}

function compileRoute(
  entry: RouteEntry,
  schema: GraphQLSchema,
  documents: Map<string, ParsedDocument>,
): CompiledRoute {
  const where = `${entry.method} ${entry.path} (${entry.operation})`;
  const parsed = documents.get(entry.operation);
  if (!parsed) throw new Error(`${where}: no persisted document defines this operation; run npm run codegen`);
  const { operation, fragments, hash } = parsed;
  if (operation.operation === "subscription") throw new Error(`${where}: subscriptions have no route`);

  const roots = operation.selectionSet.selections;
  if (roots.some((selection) => selection.kind !== Kind.FIELD)) {
    throw new Error(`${where}: a routed operation selects plain root fields (no fragments)`);
  }
  const rootFields = roots.filter((selection) => selection.kind === Kind.FIELD);
  const single = rootFields.length === 1 ? rootFields[0] : undefined;

  const variableTypes = new Map<string, GraphQLInputType>();
  const requiredVariables = new Set<string>();
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) throw new Error(`${where}: unknown type of $${definition.variable.name.value}`);
    variableTypes.set(definition.variable.name.value, type);
    if (isNonNullType(type) && !definition.defaultValue)
      requiredVariables.add(definition.variable.name.value);
  }
  const input = inputObjectOf(variableTypes.get("input"));
  const inputFields = input?.getFields() ?? {};

  /** A variable, or a field of `input`, by name. */
  const locate = (name: string): { target: VariablePath; type: GraphQLInputType } | undefined => {
    const variable = variableTypes.get(name);
    if (variable) return { target: [name], type: variable };
    const field = inputFields[name];
    if (field) return { target: ["input", name], type: field.type };
    return undefined;
  };

  const bound = new Set<string>(); // targets taken by the path or a header, as "input.bookingId"
  const segments = entry.path.split("/");
  const pathParams: RouteParameter[] = [];
  segments.forEach((segment, index) => {
    const name = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (!name) return;
    const found =
      locate(name) ??
      (name === "id" && index > 0 ? locate(entityIdFor(segments[index - 1] ?? "")) : undefined);
    if (!found) throw new Error(`${where}: {${name}} matches no variable or input field`);
    if (!isLeafType(getNamedType(found.type)) || isListType(getNullableType(found.type))) {
      throw new Error(`${where}: {${name}} must fill a scalar`);
    }
    bound.add(found.target.join("."));
    pathParams.push({ name, target: found.target, type: found.type, required: true });
  });
  const pattern = new RegExp(
    `^${segments.map((segment) => (/^\{\w+\}$/.test(segment) ? "([^/]+)" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`,
  );

  const idempotencyKey = locate("idempotencyKey")?.target ?? null;
  if (idempotencyKey) bound.add(idempotencyKey.join("."));

  const flattened = new Set<string>();
  let queryParams: RouteParameter[] = [];
  let body: RouteBody | null = null;
  if (entry.method === "GET" || entry.method === "DELETE") {
    for (const [name, type] of variableTypes) {
      if (bound.has(name)) continue;
      const object = inputObjectOf(type);
      if (object) {
        flattened.add(name);
        queryParams.push(...flattenFields(object, [name], "", isNonNullType(type)));
      } else {
        if (!isLeafType(getNamedType(type)))
          throw new Error(`${where}: $${name} cannot be a query parameter`);
        queryParams.push({ name, target: [name], type, required: requiredVariables.has(name) });
      }
    }
    queryParams = queryParams.filter((parameter) => !bound.has(parameter.target.join(".")));
    const names = new Set<string>();
    for (const parameter of queryParams) {
      if (names.has(parameter.name))
        throw new Error(`${where}: two variables would share query parameter ${parameter.name}`);
      names.add(parameter.name);
    }
  } else if (input) {
    flattened.add("input");
    body = {
      target: ["input"],
      fields: Object.values(inputFields)
        .filter((field) => !bound.has(`input.${field.name}`))
        .map((field) => ({
          name: field.name,
          type: field.type,
          required: isNonNullType(field.type) && field.defaultValue === undefined,
          ...(field.description && { description: field.description }),
        })),
    };
  } else {
    body = {
      target: [],
      fields: [...variableTypes]
        .filter(([name]) => !bound.has(name))
        .map(([name, type]) => ({ name, type, required: requiredVariables.has(name) })),
    };
  }

  return {
    method: entry.method,
    path: entry.path,
    pattern,
    ...(entry.summary && { summary: entry.summary }),
    operationName: entry.operation,
    operationType: operation.operation,
    operation,
    fragments,
    hash,
    rootField: single ? (single.alias?.value ?? single.name.value) : null,
    pathParams,
    queryParams,
    body,
    idempotencyKey,
    flattened,
    variableTypes,
  };
}

interface ParsedDocument {
  hash: string;
  operation: OperationDefinitionNode;
  fragments: FragmentDefinitionNode[];
}

/** The persisted documents by operation name. */
function documentsByOperation(): Map<string, ParsedDocument> {
  const byName = new Map<string, ParsedDocument>();
  for (const { hash, document } of persistedOperations()) {
    const ast = parse(document);
    const fragments = ast.definitions.filter(
      (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
    );
    for (const definition of ast.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) {
        byName.set(definition.name.value, { hash, operation: definition, fragments });
      }
    }
  }
  return byName;
}

/** Every route, or a start-up error naming the route that cannot be served. */
export function compileRoutes(
  schema: GraphQLSchema,
  entries: readonly RouteEntry[] = routeEntries as RouteEntry[],
): CompiledRoute[] {
  const documents = documentsByOperation();
  return entries.map((entry) => compileRoute(entry, schema, documents));
}
