// The data schema of a selection set, on selections the routed operations do not all use yet:
// inline fragments on an interface, aliases, @include, a field selected twice, named fragments.
import {
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
} from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.ts";
import type { JsonSchema } from "../../src/rest/json-schema.ts";
import { SelectionSchemas } from "../../src/rest/response-schema.ts";

/** The schema of the document's one root field, and the components it registered. */
function rootFieldSchema(source: string): { schema: JsonSchema; components: Map<string, JsonSchema> } {
  const document = parse(source);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments = document.definitions.filter(
    (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  const node = operation?.selectionSet.selections[0] as FieldNode;
  const field = schema.getQueryType()?.getFields()[node.name.value];
  if (!field) throw new Error(`no Query.${node.name.value}`);
  const components = new Map<string, JsonSchema>();
  return {
    schema: new SelectionSchemas(schema, fragments, components).fieldSchema(field.type, [node]),
    components,
  };
}

const variantFor = (union: JsonSchema, typename: string): JsonSchema | undefined =>
  (union.anyOf as JsonSchema[]).find((variant) => {
    const property = (variant.properties as Record<string, JsonSchema> | undefined)?.__typename;
    return property?.const === typename || (property?.enum as string[] | undefined)?.includes(typename);
  });

describe("SelectionSchemas", () => {
  it("an interface: one variant per shape, told apart by __typename; nullable as the field is", () => {
    const { schema: node } = rootFieldSchema(`
      query Probe($id: ID!, $withName: Boolean!) {
        node(id: $id) {
          __typename
          id
          ... on Listing { headline: title maxGuests }
          ... on User { firstName @include(if: $withName) }
        }
      }`);
    const variants = node.anyOf as JsonSchema[];
    expect(variants.at(-1)).toEqual({ type: "null" });

    const listing = variantFor(node, "Listing") ?? {};
    expect(listing.required).toEqual(["__typename", "id", "headline", "maxGuests"]);
    expect(listing.properties).toMatchObject({
      __typename: { type: "string", const: "Listing" },
      headline: { type: "string" },
      maxGuests: { type: "integer" },
    });
    expect(listing.properties).not.toHaveProperty("title");

    const user = variantFor(node, "User") ?? {};
    expect(user.required).toEqual(["__typename", "id"]); // firstName only @include'd
    expect(user.properties).toHaveProperty("firstName");

    // Every other Node type answers the same two fields: one variant for all of them.
    const rest = variantFor(node, "Booking") ?? {};
    expect(rest.properties).toMatchObject({
      __typename: { enum: expect.arrayContaining(["Booking", "Review"]) },
    });
    expect(rest.required).toEqual(["__typename", "id"]);
    expect(variants).toHaveLength(4);
  });

  it("a field selected twice merges its selections; nullable fields are typed with null", () => {
    const { schema: listing } = rootFieldSchema(`
      query Probe($id: ID!) {
        listing(id: $id) {
          host { id }
          host { firstName }
          ... on Listing { publishedAt }
        }
      }`);
    expect(listing.type).toEqual(["object", "null"]);
    const properties = listing.properties as Record<string, JsonSchema>;
    expect(Object.keys(properties.host?.properties ?? {}).sort()).toEqual(["firstName", "id"]);
    expect(properties.publishedAt).toMatchObject({ type: ["string", "null"], format: "date-time" });
  });

  it("a selection that is one fragment spread is the fragment's named component", () => {
    const { schema: listing, components } = rootFieldSchema(`
      fragment Card on Listing { id title photos { url } }
      query Probe($id: ID!) { listing(id: $id) { ...Card } }`);
    expect(listing).toEqual({ oneOf: [{ $ref: "#/components/schemas/Card" }, { type: "null" }] });
    const card = components.get("Card") ?? {};
    expect(card.required).toEqual(["id", "title", "photos"]);
    expect((card.properties as Record<string, JsonSchema>).photos).toMatchObject({
      type: "array",
      items: { type: "object", required: ["url"] },
    });
  });
});
