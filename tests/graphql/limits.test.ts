// measureOperation and exceededLimit: the cost model on a small schema, then on Roost's own.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, getNamedType, isInterfaceType, isObjectType, Kind, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import {
  exceededLimit,
  type ListBound,
  listBounds,
  measureOperation,
  returnsList,
} from "../../src/graphql/limits.ts";
import { schema as roostSchema } from "../../src/graphql/schema.ts";
import { fragmentBomb, yearOfNightsOnSearchPages } from "./documents.ts";

const small = buildSchema(`
  type Query {
    id: ID
    a: A
    list(first: Int, last: Int): AConnection
    items(n: Int): [A]
    tags: [String]
  }
  type A { id: ID, b: A, c: Int }
  type AConnection { edges: [AEdge], pageInfo: PageInfo }
  type AEdge { node: A }
  type PageInfo { hasNextPage: Boolean }
`);

const measure = (
  query: string,
  variables: Record<string, unknown> = {},
  options: { operationName?: string; listBounds?: Record<string, ListBound> } = {},
) => measureOperation(parse(query), options.operationName, variables, { schema: small, ...options });
const sizeOf = (query: string, variables?: Record<string, unknown>) => {
  const measured = measure(query, variables);
  return measured && { depth: measured.depth, aliases: measured.aliases, cost: measured.cost };
};

describe("measureOperation", () => {
  it.each([
    ["{ id }", { depth: 1, aliases: 0, cost: 1 }],
    ["{ a { b { c } } }", { depth: 3, aliases: 0, cost: 3 }],
    ["{ x: id y: id }", { depth: 1, aliases: 2, cost: 2 }],
    ["{ list(first: 10) { edges { node { id } } } }", { depth: 4, aliases: 0, cost: 31 }],
    ["{ list(first: 1000) { pageInfo { hasNextPage } } }", { depth: 3, aliases: 0, cost: 201 }],
    ["{ list(last: 0) { pageInfo { hasNextPage } } }", { depth: 3, aliases: 0, cost: 3 }],
    ["{ list { pageInfo { hasNextPage } } }", { depth: 3, aliases: 0, cost: 41 }],
    // A list field nobody declared a bound for counts as 100 items.
    ["{ items { id } }", { depth: 2, aliases: 0, cost: 101 }],
    ["{ tags }", { depth: 1, aliases: 0, cost: 1 }],
    ["{ a { ...F } } fragment F on A { b { c } }", { depth: 3, aliases: 0, cost: 3 }],
    ["{ a { ... on A { b { c } } } }", { depth: 3, aliases: 0, cost: 3 }],
    ["{ __schema { types { fields { type { ofType { name } } } } } }", { depth: 0, aliases: 0, cost: 0 }],
  ])("%s", (query, expected) => {
    expect(sizeOf(query)).toEqual(expected);
  });

  it("takes page sizes from variables or their defaults, assuming 20 when absent", () => {
    const query = "query($n: Int) { list(first: $n) { pageInfo { hasNextPage } } }";
    expect(measure(query, { n: 50 })?.cost).toBe(101);
    expect(measure(query, {})?.cost).toBe(41);
    expect(measure(query, { n: null })?.cost).toBe(41);
    const withDefault = "query($n: Int = 100) { list(first: $n) { pageInfo { hasNextPage } } }";
    expect(measure(withDefault, {})?.cost).toBe(201);
    expect(measure(withDefault, { n: 5 })?.cost).toBe(11);
  });

  it("multiplies by declared bounds, fixed or computed from the arguments", () => {
    expect(measure("{ items { id } }", {}, { listBounds: { "Query.items": 7 } })?.cost).toBe(8);
    const byArgument = { "Query.items": (args: Readonly<Record<string, unknown>>) => Number(args.n) };
    expect(
      measure("query($n: Int) { items(n: $n) { id } }", { n: 3 }, { listBounds: byArgument })?.cost,
    ).toBe(4);
  });

  it("measures the named operation only", () => {
    const query = "query A { id } query B { a { b { c } } }";
    expect(measure(query, {}, { operationName: "B" })?.depth).toBe(3);
    expect(measure(query, {}, { operationName: "A" })?.depth).toBe(1);
    expect(measure(query, {}, { operationName: "C" })).toBeUndefined();
  });

  it("survives fragment cycles (validation rejects them later)", () => {
    expect(measure("{ a { ...F } } fragment F on A { b { ...F } }")?.depth).toBe(2);
  });
});

describe("measuring nested fragments", () => {
  const bomb = (depth: number, limits?: { maxDepth: number; maxAliases: number; maxCost: number }) =>
    measureOperation(parse(fragmentBomb(depth)), undefined, {}, { schema: roostSchema, limits });

  it.each([1, 5, 21, 29])("walks each fragment once: F%i", (depth) => {
    const measured = bomb(depth);
    // amenities, its spread, two spreads per level, F0's three fields: linear in the fragments.
    expect(measured?.visited).toBe(2 * depth + 5);
    // ...while the cost is that of the whole expansion: 2^depth × 3 fields of up to 100 amenities.
    expect(measured?.cost).toBe(1 + 100 * 3 * 2 ** depth);
  });

  it("stops as soon as a limit is passed", () => {
    const { limits } = loadConfig({ NODE_ENV: "test" });
    const wide = `{ ${Array.from({ length: 500 }, (_, index) => `a${index}: amenities { code }`).join(" ")} }`;
    const measured = measureOperation(parse(wide), undefined, {}, { schema: roostSchema, limits });
    expect(measured && exceededLimit(measured, limits)).toMatch(/aliases/);
    expect(measured?.visited).toBe(2 * (limits.maxAliases + 1));
    expect(bomb(29, limits)?.visited).toBeLessThan(2 * 29 + 5);
  });
});

describe("Roost's list bounds", () => {
  const roost = (query: string, variables: Record<string, unknown> = {}) =>
    measureOperation(parse(query), undefined, variables, { schema: roostSchema })?.cost;

  it("counts calendar nights between from and to, at most 366", () => {
    const calendar = (from: string, to: string) =>
      roost(`{ listing(id: "x") { calendar(from: "${from}", to: "${to}") { date } } }`);
    expect(calendar("2030-01-01", "2030-01-31")).toBe(1 + 1 + 30);
    expect(calendar("2030-01-01", "2033-01-01")).toBe(1 + 1 + 366);
    expect(calendar("2030-01-01", "not a date")).toBe(1 + 1 + 366);
    const query =
      'query($from: Date!, $to: Date!) { listing(id: "x") { calendar(from: $from, to: $to) { date } } }';
    expect(roost(query, { from: "2030-02-01", to: "2030-03-01" })).toBe(1 + 1 + 28);
  });

  it("counts nodes by their ids, at most 100", () => {
    expect(roost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(1 + 3);
    const query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    expect(roost(query, { ids: Array.from({ length: 5 }, String) })).toBe(1 + 5);
    expect(roost(query, { ids: Array.from({ length: 15_000 }, String) })).toBe(1 + 100);
  });

  it("counts photos as 50 and connections by their page", () => {
    expect(roost('{ listing(id: "x") { photos { url } } }')).toBe(1 + 1 + 50);
    expect(roost("{ searchListings { edges { node { id } } } }")).toBe(1 + 20 * 3);
    expect(roost("{ searchListings(first: 100) { totalCount } }")).toBe(1 + 100);
  });

  it("declares a bound for every list field of the schema, and only for those", () => {
    const undeclared: string[] = [];
    const lists = new Set<string>();
    for (const type of Object.values(roostSchema.getTypeMap())) {
      if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (!returnsList(field)) continue;
        const key = `${type.name}.${field.name}`;
        lists.add(key);
        const paged = field.args.some((arg) => arg.name === "first");
        const edges = field.name === "edges" && "pageInfo" in type.getFields();
        if (!(key in listBounds) && !paged && !edges) undeclared.push(key);
      }
    }
    expect(undeclared).toEqual([]);
    expect(Object.keys(listBounds).filter((key) => !lists.has(key))).toEqual([]);
    // Connections are paged: each one takes first/last.
    for (const type of Object.values(roostSchema.getQueryType()?.getFields() ?? {})) {
      if (getNamedType(type.type).name.endsWith("Connection")) {
        expect(type.args.map((arg) => arg.name)).toContain("first");
      }
    }
  });
});

describe("the default limits", () => {
  const { limits } = loadConfig({ NODE_ENV: "test" });
  const operationsDir = join(import.meta.dirname, "../../schema/operations");
  const operations = parse(
    readdirSync(operationsDir)
      .filter((file) => file.endsWith(".graphql"))
      .map((file) => readFileSync(join(operationsDir, file), "utf8"))
      .join("\n"),
  );
  const names = operations.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
  );
  // The largest answers a client may ask for: full pages, a year of nights.
  const largest = { first: 100, last: 100, from: "2030-01-01", to: "2031-01-02" };

  it.each(names)("let %s through at its largest", (name) => {
    const measured = measureOperation(operations, name, largest, { schema: roostSchema, limits });
    expect(measured && exceededLimit(measured, limits)).toBeUndefined();
  });

  it("refuse twenty aliased search pages of a year's calendar, and even one", () => {
    for (const aliases of [20, 1]) {
      const measured = measureOperation(
        parse(yearOfNightsOnSearchPages(aliases)),
        undefined,
        {},
        {
          schema: roostSchema,
          limits,
        },
      );
      expect(measured && exceededLimit(measured, limits)).toMatch(/cost/);
    }
  });
});

describe("exceededLimit", () => {
  const limits = { maxDepth: 3, maxAliases: 1, maxCost: 10 };
  it.each([
    [{ depth: 3, aliases: 1, cost: 10 }, undefined],
    [{ depth: 4, aliases: 0, cost: 1 }, "Query depth 4 exceeds the limit of 3"],
    [{ depth: 1, aliases: 2, cost: 1 }, "Query uses 2 aliases; the limit is 1"],
    [{ depth: 1, aliases: 0, cost: 11 }, "Query cost 11 exceeds the limit of 10"],
  ])("%o", (measured, message) => {
    expect(exceededLimit(measured, limits)).toBe(message);
  });
});
