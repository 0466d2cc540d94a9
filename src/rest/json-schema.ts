// GraphQL types as JSON Schema (OpenAPI 3.1's dialect, 2020-12): leaves, nullability and
// descriptions, and input types for parameters and request bodies, each input object a named
// component. The data an operation answers is response-schema.ts's.
import {
  astFromValue,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLLeafType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  valueFromASTUntyped,
} from "graphql";

export type JsonSchema = { [keyword: string]: unknown };

const builtInScalars: Record<string, JsonSchema> = {
  Int: { type: "integer", format: "int32" },
  Float: { type: "number", format: "double" },
  String: { type: "string" },
  ID: { type: "string" },
  Boolean: { type: "boolean" },
  // The contract's scalars (CONTRACT §3).
  Date: { type: "string", format: "date" },
  DateTime: { type: "string", format: "date-time" },
};

/** What a schema element can add to the schema of its type. */
interface Described {
  description?: string | null | undefined;
  deprecationReason?: string | null | undefined;
}

/** An enum's values with their descriptions, as a Markdown list (JSON Schema has no place per value). */
function enumValueList(type: GraphQLEnumType): string | undefined {
  const values = type.getValues();
  if (!values.some((value) => value.description)) return undefined;
  return values
    .map((value) => `- \`${value.name}\`${value.description ? `: ${value.description}` : ""}`)
    .join("\n");
}

export function leafSchema(type: GraphQLLeafType): JsonSchema {
  if (isEnumType(type)) {
    const list = enumValueList(type);
    const description = [type.description, list].filter(Boolean).join("\n\n");
    return {
      type: "string",
      enum: type.getValues().map((value) => value.name),
      ...(description && { description }),
    };
  }
  const known = builtInScalars[type.name];
  if (known) return { ...known };
  // A custom scalar: any JSON value, as its description says.
  return type.description ? { description: type.description } : {};
}

/** The same schema, also allowing null. */
export function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === "string") {
    const { enum: values, ...rest } = schema;
    return {
      ...rest,
      type: [schema.type, "null"],
      ...(Array.isArray(values) && { enum: [...(values as unknown[]), null] }),
    };
  }
  if (Array.isArray(schema.anyOf))
    return { ...schema, anyOf: [...(schema.anyOf as unknown[]), { type: "null" }] };
  if (Object.keys(schema).every((keyword) => keyword === "description")) return schema; // any value
  return { oneOf: [schema, { type: "null" }] };
}

/** The description, deprecation and default of a field or argument, on its type's schema. */
export function describe(
  schema: JsonSchema,
  element: Described,
  defaultValue?: JsonSchema["default"],
): JsonSchema {
  const described: JsonSchema = { ...schema };
  // The element's own description wins over its type's (an enum keeps its value list).
  if (element.description) {
    described.description =
      typeof schema.description === "string" && schema.enum
        ? `${element.description}\n\n${schema.description}`
        : element.description;
  }
  if (element.deprecationReason) {
    described.deprecated = true;
    described.description = [described.description, `Deprecated: ${element.deprecationReason}`]
      .filter(Boolean)
      .join("\n\n");
  }
  if (defaultValue !== undefined) described.default = defaultValue;
  return described;
}

/** An input default as JSON (enum values by name), or undefined when there is none. */
export function defaultAsJson(value: unknown, type: GraphQLInputType): unknown {
  if (value === undefined) return undefined;
  const ast = astFromValue(value, type);
  return ast ? valueFromASTUntyped(ast) : undefined;
}

/**
 * Input types, with each input object as a schema under components (`#/components/schemas/<Name>`):
 * bodies nest them, and the same objects recur across routes.
 */
export class InputSchemas {
  constructor(private readonly components: Map<string, JsonSchema>) {}

  schemaOf(type: GraphQLInputType): JsonSchema {
    if (isNonNullType(type)) return this.nonNullSchema(type.ofType);
    return nullable(this.nonNullSchema(type));
  }

  /** The schema of a type as if it were non-null (query strings have no null). */
  nonNullSchema(type: GraphQLInputType): JsonSchema {
    if (isNonNullType(type)) return this.nonNullSchema(type.ofType);
    if (isListType(type)) return { type: "array", items: this.schemaOf(type.ofType) };
    if (isInputObjectType(type)) return { $ref: this.register(type) };
    return leafSchema(type);
  }

  /** A JSON object of the given fields, unknown ones refused (as the facade does). */
  objectSchema(
    fields: ReadonlyArray<
      Described & { name: string; type: GraphQLInputType; required: boolean; defaultValue?: unknown }
    >,
  ): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const field of fields) {
      properties[field.name] = describe(
        this.schemaOf(field.type),
        field,
        defaultAsJson(field.defaultValue, field.type),
      );
    }
    const required = fields.filter((field) => field.required).map((field) => field.name);
    return {
      type: "object",
      properties,
      ...(required.length > 0 && { required }),
      additionalProperties: false,
    };
  }

  private register(type: GraphQLInputObjectType): string {
    const ref = `#/components/schemas/${type.name}`;
    if (this.components.has(type.name)) return ref;
    this.components.set(type.name, {}); // taken first: an input object may contain itself
    const fields = Object.values(type.getFields()).map((field) => ({
      ...field,
      required: isNonNullType(field.type) && field.defaultValue === undefined,
    }));
    const object = this.objectSchema(fields);
    this.components.set(type.name, type.description ? { ...object, description: type.description } : object);
    return ref;
  }
}
