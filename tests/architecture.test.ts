// Dependencies run one way: core ← infra ← modules ← graphql/server. A module registers its
// tasks, topics and cache tags; infra never imports a module or the GraphQL layer.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Each relative import of a file, as a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1] ?? "");
  return specifiers.map((specifier) => relative(src, resolve(dirname(file), specifier)));
}

function violations(layer: string, forbidden: readonly string[]): string[] {
  return sourceFiles(join(src, layer)).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((prefix) => target.startsWith(prefix)))
      .map((target) => `${relative(src, file)} imports ${target}`),
  );
}

describe("dependency direction", () => {
  it("infra imports no module and nothing of the GraphQL layer", () => {
    expect(violations("infra", ["modules/", "graphql/", "server.ts", "context.ts"])).toEqual([]);
  });

  it("core imports nothing of the application", () => {
    expect(
      violations("core", ["modules/", "graphql/", "infra/", "server.ts", "context.ts", "app.ts"]),
    ).toEqual([]);
  });

  it("would see an offending import (the check reads real imports)", () => {
    expect(importsOf(join(src, "graphql/errors.ts"))).toContain("infra/db-errors.ts");
  });
});
