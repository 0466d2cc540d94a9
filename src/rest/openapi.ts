// The OpenAPI 3.1 document of the REST facade, generated from the compiled routes and the
// schema's types: parameters and bodies from the operations' variables, each 200 response from
// the operation's selection set, errors from the contract's codes. Nothing here is per route.
import {
  type FieldNode,
  getNamedType,
  getNullableType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
} from "graphql";
import { IDEMPOTENCY_TTL_MS } from "../infra/idempotency.ts";
import { errorComponents, errorResponsesOf } from "./error-responses.ts";
import { InputSchemas, type JsonSchema, leafSchema } from "./json-schema.ts";
import { SelectionSchemas } from "./response-schema.ts";
import type { CompiledRoute, RouteParameter, VariablePath } from "./route-table.ts";

export interface OpenApiOptions {
  /** Where clients send requests; "/" (this origin) by default. */
  serverUrl?: string;
  version: string;
}

export type OpenApiDocument = JsonSchema & { openapi: "3.1.0" };

const description = `The REST face of Roost's GraphQL API (\`/graphql\`): each route runs one persisted GraphQL operation.

- A request body is the flat JSON object of the operation's input fields (not wrapped in \`input\`); path parameters fill the entity's id.
- A success answers 200 with the operation's data as JSON; a failure answers \`{ "error": { "code", "message", "fields" } }\` with the status of its code.
- Sign in with \`POST /api/auth/login\` and send \`Authorization: Bearer <accessToken>\`; routes open to anyone take no token.
- Routes that take an \`Idempotency-Key\` header replay their first answer for a repeated key.`;

/** "RequestBooking" → "Request booking": a summary for routes whose comment gives none. */
const summaryFrom = (operationName: string): string => {
  const words = operationName.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** "/api/bookings/{id}/accept" → "bookings". */
const tagOf = (path: string): string => path.split("/")[2] ?? "api";

/** The operation's root type: Query or Mutation. */
function rootTypeOf(route: CompiledRoute, schema: GraphQLSchema): GraphQLObjectType {
  const root = route.operationType === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root) throw new Error(`${route.path}: the schema has no ${route.operationType} type`);
  return root;
}

const rootFieldNodes = (route: CompiledRoute): FieldNode[] =>
  route.operation.selectionSet.selections.filter(
    (selection): selection is FieldNode => selection.kind === Kind.FIELD,
  );

/**
 * Where a parameter lands, for its description and type: an input field, or a variable, which
 * is described by the root field argument it is passed to.
 */
function targetOf(
  route: CompiledRoute,
  schema: GraphQLSchema,
  target: VariablePath,
): { description?: string | null; type?: GraphQLInputType } {
  const [variable = "", ...path] = target;
  let type = route.variableTypes.get(variable);
  let element: { description?: string | null; type?: GraphQLInputType } = { type };
  if (path.length === 0) {
    const root = rootTypeOf(route, schema);
    for (const node of rootFieldNodes(route)) {
      const argument = node.arguments?.find(
        (given) => given.value.kind === Kind.VARIABLE && given.value.name.value === variable,
      );
      const definition =
        argument && root.getFields()[node.name.value]?.args.find((arg) => arg.name === argument.name.value);
      if (definition?.description) return { description: definition.description, type };
    }
  }
  for (const name of path) {
    const object = type && getNullableType(type);
    const field = object && isInputObjectType(object) ? object.getFields()[name] : undefined;
    if (!field) return {};
    element = field;
    type = field.type;
  }
  return element;
}

function parameterOf(
  route: CompiledRoute,
  schema: GraphQLSchema,
  parameter: RouteParameter,
  where: "path" | "query",
): JsonSchema {
  const named = getNamedType(parameter.type);
  if (!isLeafType(named)) throw new Error(`${route.path}: ${parameter.name} is not a leaf`);
  const list = isListType(getNullableType(parameter.type));
  const text = parameter.description ?? targetOf(route, schema, parameter.target).description;
  return {
    name: parameter.name,
    in: where,
    required: where === "path" || parameter.required,
    ...(text && { description: text }),
    schema: list ? { type: "array", items: leafSchema(named) } : leafSchema(named),
    ...(list && { style: "form", explode: true }),
  };
}

function idempotencyHeader(route: CompiledRoute, schema: GraphQLSchema, target: VariablePath): JsonSchema {
  const field = targetOf(route, schema, target);
  const hours = IDEMPOTENCY_TTL_MS / 3_600_000;
  return {
    name: "Idempotency-Key",
    in: "header",
    required: field.type ? isNonNullType(field.type) : false,
    description: [
      field.description,
      `A key of the client's choosing (a UUID, say), kept ${hours} hours per user. A retry with the same key and the same request returns the first response byte for byte, with header \`idempotent-replayed: true\`; the same key with a different request answers 422 \`IDEMPOTENCY_KEY_REUSED\`.`,
    ]
      .filter(Boolean)
      .join("\n\n"),
    schema: { type: "string", minLength: 1, maxLength: 255 },
  };
}

/** The 200 response: the root field's data, or the data object when the operation selects several. */
function successOf(route: CompiledRoute, schema: GraphQLSchema, selections: SelectionSchemas): JsonSchema {
  const root = rootTypeOf(route, schema);
  const fields = rootFieldNodes(route);
  const definitionOf = (node: FieldNode) => {
    const field = root.getFields()[node.name.value];
    if (!field) throw new Error(`${route.path}: ${root.name} has no field ${node.name.value}`);
    return field;
  };
  let body: JsonSchema;
  let text: string;
  if (route.rootField === null) {
    body = selections.rootSchema(root, route.operation.selectionSet);
    text =
      "The operation's data: " +
      fields.map((node) => `\`${node.alias?.value ?? node.name.value}\``).join(", ");
  } else {
    const nodes = fields.filter((node) => (node.alias?.value ?? node.name.value) === route.rootField);
    const [first] = nodes;
    if (!first) throw new Error(`${route.path}: no root field ${route.rootField}`);
    body = selections.nonNullSchema(definitionOf(first).type, nodes);
    text = `The \`${first.name.value}\` field's data.`;
  }
  return {
    description: text,
    ...(route.idempotencyKey && {
      headers: {
        "idempotent-replayed": {
          description:
            "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
          schema: { type: "string", enum: ["true"] },
        },
      },
    }),
    content: { "application/json": { schema: body } },
  };
}

function operationOf(
  route: CompiledRoute,
  schema: GraphQLSchema,
  components: Map<string, JsonSchema>,
): JsonSchema {
  const inputs = new InputSchemas(components);
  const selections = new SelectionSchemas(schema, route.fragments, components);
  const root = rootTypeOf(route, schema);
  const rootDescriptions = rootFieldNodes(route)
    .map((node) => root.getFields()[node.name.value])
    .flatMap((field) => (field?.description ? [field.description] : []));
  const runs = `Runs the GraphQL ${route.operationType} \`${route.operationName}\`.`;

  const parameters = [
    ...route.pathParams.map((parameter) => parameterOf(route, schema, parameter, "path")),
    ...route.queryParams.map((parameter) => parameterOf(route, schema, parameter, "query")),
    ...(route.idempotencyKey ? [idempotencyHeader(route, schema, route.idempotencyKey)] : []),
  ];
  const bodySchema =
    route.body && route.body.fields.length > 0 ? inputs.objectSchema(route.body.fields) : null;
  return {
    operationId: route.operationName,
    summary: route.summary ?? summaryFrom(route.operationName),
    description: [...rootDescriptions, runs].join("\n\n"),
    tags: [tagOf(route.path)],
    ...(parameters.length > 0 && { parameters }),
    ...(bodySchema && {
      requestBody: {
        required: route.body?.fields.some((field) => field.required) ?? false,
        content: { "application/json": { schema: bodySchema } },
      },
    }),
    responses: { "200": successOf(route, schema, selections), ...errorResponsesOf(route) },
  };
}

function buildDocument(
  routes: readonly CompiledRoute[],
  schema: GraphQLSchema,
  options: OpenApiOptions,
): OpenApiDocument {
  const components = new Map<string, JsonSchema>();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags: string[] = [];
  for (const route of routes) {
    const operations = (paths[route.path] ??= {});
    operations[route.method.toLowerCase()] = operationOf(route, schema, components);
    const tag = tagOf(route.path);
    if (!tags.includes(tag)) tags.push(tag);
  }
  const errors = errorComponents();
  const sorted = (entries: Map<string, JsonSchema>) =>
    Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: "3.1.0",
    info: { title: "Roost", version: options.version, description },
    servers: [{ url: options.serverUrl ?? "/" }],
    // Anonymous requests are fine where the operation allows them: a token is optional globally.
    security: [{ bearerAuth: [] }, {}],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...sorted(components), ...errors.schemas },
      responses: errors.responses,
      headers: errors.headers,
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The `accessToken` that signing up, logging in or refreshing the session answers.",
        },
      },
    },
  };
}

const built = new WeakMap<
  readonly CompiledRoute[],
  { key: string; schema: GraphQLSchema; document: OpenApiDocument }
>();

/** The document for these routes, built once per routes, schema and options (and then shared: do not change it). */
export function openApiDocument(
  routes: readonly CompiledRoute[],
  schema: GraphQLSchema,
  options: OpenApiOptions,
): OpenApiDocument {
  const key = JSON.stringify([options.serverUrl ?? "/", options.version]);
  const cached = built.get(routes);
  if (cached && cached.schema === schema && cached.key === key) return cached.document;
  const document = buildDocument(routes, schema, options);
  built.set(routes, { key, schema, document });
  return document;
}
