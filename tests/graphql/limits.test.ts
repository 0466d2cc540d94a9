import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { exceededLimit, measureOperation } from "../../src/graphql/limits.ts";

const measure = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  measureOperation(parse(query), operationName, variables);

describe("measureOperation", () => {
  it.each([
    ["{ a }", { depth: 1, aliases: 0, cost: 1 }],
    ["{ a { b { c } } }", { depth: 3, aliases: 0, cost: 3 }],
    ["{ x: a y: a }", { depth: 1, aliases: 2, cost: 2 }],
    ["{ list(first: 10) { edges { node { id } } } }", { depth: 4, aliases: 0, cost: 31 }],
    ["{ list(first: 1000) { id } }", { depth: 2, aliases: 0, cost: 101 }],
    ["{ list(last: 0) { id } }", { depth: 2, aliases: 0, cost: 2 }],
    ["{ a { ...F } } fragment F on A { b { c } }", { depth: 3, aliases: 0, cost: 3 }],
    ["{ a { ... on A { b } } }", { depth: 2, aliases: 0, cost: 2 }],
    ["{ __schema { types { fields { type { ofType { name } } } } } }", { depth: 0, aliases: 0, cost: 0 }],
  ])("%s", (query, expected) => {
    expect(measure(query)).toEqual(expected);
  });

  it("takes page sizes from variables, assuming 20 when absent", () => {
    const query = "query($n: Int) { list(first: $n) { id } }";
    expect(measure(query, { n: 50 })?.cost).toBe(51);
    expect(measure(query, {})?.cost).toBe(21);
  });

  it("measures the named operation only", () => {
    const query = "query A { a } query B { b { c { d } } }";
    expect(measure(query, {}, "B")?.depth).toBe(3);
    expect(measure(query, {}, "A")?.depth).toBe(1);
    expect(measure(query, {}, "C")).toBeUndefined();
  });

  it("survives fragment cycles (validation rejects them later)", () => {
    expect(measure("{ a { ...F } } fragment F on A { b { ...F } }")?.depth).toBe(2);
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
