// Codegen plugin: the REST facade's route table, read from `# @route METHOD /path` comments.
// GraphQL's parser drops comments (and codegen hands plugins the printed documents), so each
// operation file is read from disk: a route
// comment belongs to the operation it sits above (other comment lines in that block become
// the route's summary). The server and the OpenAPI document are built from this table.
import { readFileSync } from "node:fs";
import type { PluginFunction } from "@graphql-codegen/plugin-helpers";
import { Kind, parse } from "graphql";

export interface RouteEntry {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  operation: string;
  summary?: string;
}

const ROUTE = /^#\s*@route\s+(\S+)\s+(\S+)\s*$/;
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const PATH = /^\/api(\/([a-z0-9-]+|\{[a-zA-Z]+\}))+$/;

/** The comment lines directly above `offset` (no blank line between), nearest last. */
function commentBlockBefore(source: string, offset: number): string[] {
  const lines = source.slice(0, offset).split("\n");
  lines.pop(); // the start of the definition's own line
  const block: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").trim();
    if (!line.startsWith("#")) break;
    block.unshift(line);
  }
  return block;
}

export function routesOf(source: string, location: string): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const document = parse(source);
  for (const definition of document.definitions) {
    if (!definition.loc) continue;
    const block = commentBlockBefore(source, definition.loc.start);
    const marks = block.filter((line) => ROUTE.test(line));
    if (marks.length === 0) continue;
    const where = `${location}:${definition.loc.startToken.line}`;
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === "subscription") {
      throw new Error(`${where}: @route must sit above a query or mutation`);
    }
    if (!definition.name) throw new Error(`${where}: a routed operation needs a name`);
    const summary = block
      .filter((line) => !ROUTE.test(line))
      .map((line) => line.replace(/^#\s?/, ""))
      .join(" ")
      .trim();
    for (const mark of marks) {
      const [, method = "", path = ""] = ROUTE.exec(mark) ?? [];
      if (!METHODS.has(method)) throw new Error(`${where}: unknown method ${method}`);
      if (!PATH.test(path)) throw new Error(`${where}: route path ${path} must look like /api/things/{id}`);
      if (method === "GET" && definition.operation !== "query") {
        throw new Error(`${where}: GET routes serve queries only`);
      }
      routes.push({
        method: method as RouteEntry["method"],
        path,
        operation: definition.name.value,
        ...(summary && { summary }),
      });
    }
  }
  return routes;
}

/** The table of every file's routes, sorted; refuses two operations on one route. */
export function routeTable(files: ReadonlyArray<{ source: string; location: string }>): RouteEntry[] {
  const routes = files.flatMap((file) => routesOf(file.source, file.location));
  const seen = new Set<string>();
  for (const route of routes) {
    // /api/x/{id} and /api/x/{slug} would match the same requests.
    const shape = `${route.method} ${route.path.replace(/\{[^}]+\}/g, "{}")}`;
    if (seen.has(shape)) throw new Error(`Two operations claim ${route.method} ${route.path}`);
    seen.add(shape);
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

export const plugin: PluginFunction = (_schema, documents) => {
  const files = documents.flatMap((file) =>
    file.location ? [{ source: readFileSync(file.location, "utf8"), location: file.location }] : [],
  );
  return `${JSON.stringify(routeTable(files), null, 2)}\n`;
};
