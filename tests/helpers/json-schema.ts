// A JSON value checked against a schema of the OpenAPI document: the keywords the generator
// writes (src/rest/json-schema.ts), so a test can hold a live response to its documented shape.

type Schema = Record<string, unknown>;

const typeOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : typeof value === "number" && Number.isInteger(value)
        ? "integer"
        : typeof value;

const formats: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};

/** Follows a local `#/...` reference in the document. */
export function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const part of ref.slice(2).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** What about `value` the schema does not allow, as "path: problem" lines (none: it conforms). */
export function mismatches(document: unknown, schema: Schema, value: unknown, path = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const target = resolvePointer(document, schema.$ref);
    if (!target) return [`${path}: unresolved ${schema.$ref}`];
    return mismatches(document, target as Schema, value, path);
  }
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const options = schema[keyword] as Schema[] | undefined;
    if (!options) continue;
    const matching = options.filter((option) => mismatches(document, option, value, path).length === 0);
    if (keyword === "oneOf" ? matching.length !== 1 : matching.length === 0) {
      return [`${path}: ${matching.length} of the ${keyword} alternatives match ${JSON.stringify(value)}`];
    }
  }
  const actual = typeOf(value);
  const types = schema.type === undefined ? undefined : ([] as unknown[]).concat(schema.type);
  if (types && !types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
    return [`${path}: ${actual}, not ${types.join(" or ")}`];
  }
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${path}: ${String(value)} not in enum`);
  if ("const" in schema && schema.const !== value)
    problems.push(`${path}: ${String(value)} is not ${String(schema.const)}`);
  const format = typeof schema.format === "string" ? formats[schema.format] : undefined;
  if (format && typeof value === "string" && !format.test(value))
    problems.push(`${path}: not a ${String(schema.format)}`);
  if (actual === "array" && schema.items) {
    (value as unknown[]).forEach((item, index) => {
      problems.push(...mismatches(document, schema.items as Schema, item, `${path}[${index}]`));
    });
  }
  if (actual === "object") {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(object, name)) problems.push(`${path}.${name}: required, missing`);
    }
    for (const [name, property] of Object.entries(object)) {
      const propertySchema = properties[name];
      if (propertySchema) problems.push(...mismatches(document, propertySchema, property, `${path}.${name}`));
      else if (schema.properties) problems.push(`${path}.${name}: not in the schema`);
    }
  }
  return problems;
}
