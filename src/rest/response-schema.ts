// An operation's selection set as the JSON Schema of the data it answers, walked with the
// schema's types: fragments and inline fragments by the concrete type they apply to, aliases as
// keys, nullability as the schema says. A selection that is one fragment spread becomes a named
// component; other objects stay inline, since each selection picks its own fields.
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { describe, type JsonSchema, leafSchema, nullable } from "./json-schema.ts";

/** The fields a selection set yields for one concrete type, by response key. */
interface CollectedField {
  nodes: FieldNode[];
  /** Under @skip/@include everywhere it appears: the key may be absent. */
  conditional: boolean;
}

const hasConditions = (node: { directives?: ReadonlyArray<{ name: { value: string } }> }): boolean =>
  node.directives?.some((directive) => ["skip", "include"].includes(directive.name.value)) ?? false;

/** The response's shape for an operation's selections, walked with the schema's types. */
export class SelectionSchemas {
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;

  constructor(
    private readonly schema: GraphQLSchema,
    fragments: readonly FragmentDefinitionNode[],
    /** components.schemas, shared by every route: a fragment's shape is kept there under its name. */
    private readonly components: Map<string, JsonSchema>,
  ) {
    this.fragments = new Map(fragments.map((fragment) => [fragment.name.value, fragment]));
  }

  /** A field's value, given every node that selects it under one response key. */
  fieldSchema(type: GraphQLOutputType, nodes: readonly FieldNode[]): JsonSchema {
    if (isNonNullType(type)) return this.nonNullSchema(type.ofType, nodes);
    return nullable(this.nonNullSchema(type, nodes));
  }

  /** The same as if the type were non-null: the REST body is a root field that was not null. */
  nonNullSchema(type: GraphQLOutputType, nodes: readonly FieldNode[]): JsonSchema {
    if (isNonNullType(type)) return this.nonNullSchema(type.ofType, nodes);
    if (isListType(type)) return { type: "array", items: this.fieldSchema(type.ofType, nodes) };
    if (isLeafType(type)) return leafSchema(type);
    const selections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
    const named = this.namedFragment(type, selections);
    if (named) return named;
    const concrete = isAbstractType(type) ? this.schema.getPossibleTypes(type) : [type];
    const variants = concrete.map((object) => ({ object, schema: this.objectSchema(object, selections) }));

    // Types that answer the same fields share one schema; `__typename` tells them apart. A
    // type's own description stays only on a schema that stands for that type alone.
    const groups = new Map<string, { objects: GraphQLObjectType[]; schema: JsonSchema }>();
    for (const { object, schema } of variants) {
      const key = JSON.stringify(schema);
      const group = groups.get(key) ?? { objects: [], schema };
      group.objects.push(object);
      groups.set(key, group);
    }
    const schemas = [...groups.values()].map(({ objects, schema }) => {
      const [single] = objects;
      const typed = withTypename(
        schema,
        objects.map((object) => object.name),
      );
      return single?.description && objects.length === 1
        ? { ...typed, description: single.description }
        : typed;
    });
    const [only] = schemas;
    if (only && schemas.length === 1) return only;
    return type.description ? { anyOf: schemas, description: type.description } : { anyOf: schemas };
  }

  /**
   * A selection that is just one fragment spread on this very object type (`booking {
   * ...BookingFields }`) as a reference to the fragment's schema, so that clients see one named
   * shape; undefined to inline it (another selection, or a name taken by something else).
   */
  private namedFragment(
    type: GraphQLOutputType,
    selections: readonly SelectionSetNode[],
  ): JsonSchema | undefined {
    if (!isObjectType(type)) return undefined;
    const spreads = selections.map((selectionSet) => {
      const [only, ...others] = selectionSet.selections;
      return only?.kind === Kind.FRAGMENT_SPREAD && others.length === 0 && !only.directives?.length
        ? only.name.value
        : undefined;
    });
    const [name] = spreads;
    if (!name || spreads.some((spread) => spread !== name) || this.schema.getType(name)) return undefined;
    const fragment = this.fragments.get(name);
    if (fragment?.typeCondition.name.value !== type.name) return undefined;
    const shape = {
      ...withTypename(this.objectSchema(type, [fragment.selectionSet]), [type.name]),
      ...(type.description && { description: type.description }),
    };
    const taken = this.components.get(name);
    // Two documents may define fragments of one name differently: then each stays inline.
    if (taken && JSON.stringify(taken) !== JSON.stringify(shape)) return undefined;
    this.components.set(name, shape);
    return { $ref: `#/components/schemas/${name}` };
  }

  /** The data object of an operation that selects several root fields. */
  rootSchema(root: GraphQLObjectType, selectionSet: SelectionSetNode): JsonSchema {
    return withTypename(this.objectSchema(root, [selectionSet]), [root.name]);
  }

  /** An object's properties; `__typename` is a placeholder that withTypename fills in. */
  private objectSchema(object: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): JsonSchema {
    const collected = new Map<string, CollectedField>();
    for (const selectionSet of selectionSets) this.collect(object, selectionSet, false, collected);
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [key, { nodes, conditional }] of collected) {
      const name = nodes[0]?.name.value ?? key;
      if (name === "__typename") {
        properties[key] = { $typename: true };
      } else {
        const field = object.getFields()[name];
        if (!field) throw new Error(`${object.name} has no field ${name}`);
        properties[key] = describe(this.fieldSchema(field.type, nodes), field);
      }
      if (!conditional) required.push(key);
    }
    return {
      type: "object",
      properties,
      ...(required.length > 0 && { required }),
    };
  }

  /** Fields selected on a concrete type, following spreads and inline fragments that apply to it. */
  private collect(
    object: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    conditional: boolean,
    into: Map<string, CollectedField>,
  ): void {
    for (const selection of selectionSet.selections) {
      const underCondition = conditional || hasConditions(selection);
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const entry = into.get(key);
        if (entry) {
          entry.nodes.push(selection);
          entry.conditional &&= underCondition;
        } else {
          into.set(key, { nodes: [selection], conditional: underCondition });
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, object)) {
          this.collect(object, selection.selectionSet, underCondition, into);
        }
      } else {
        const fragment = this.fragments.get(selection.name.value);
        if (!fragment) throw new Error(`unknown fragment ${selection.name.value}`);
        if (this.applies(fragment.typeCondition.name.value, object)) {
          this.collect(object, fragment.selectionSet, underCondition, into);
        }
      }
    }
  }

  private applies(typeCondition: string, object: GraphQLObjectType): boolean {
    const condition: GraphQLNamedType | undefined = this.schema.getType(typeCondition);
    if (!condition) throw new Error(`unknown type ${typeCondition}`);
    return condition === object || (isAbstractType(condition) && this.schema.isSubType(condition, object));
  }
}

/** Fills the `__typename` placeholders of an object schema with the type names it stands for. */
function withTypename(schema: JsonSchema, names: readonly string[]): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return schema;
  const filled = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [
      key,
      property.$typename
        ? names.length === 1
          ? { type: "string", const: names[0] }
          : { type: "string", enum: [...names] }
        : property,
    ]),
  );
  return { ...schema, properties: filled };
}
