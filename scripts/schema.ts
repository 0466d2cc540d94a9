// `print` writes schema/schema.graphql from the Pothos schema, regenerates the typed
// documents and the REST route table, and rewrites the README's table of routes; `check`
// fails when any of them differs from what is committed.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { lexicographicSortSchema, printSchema } from "graphql";
import codegenConfig from "../codegen.ts";
import { schema } from "../src/graphql/schema.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaFile = join(root, "schema", "schema.graphql");
const readmeFile = join(root, "README.md");
const routesFile = join(root, "schema", "generated", "rest-routes.json");
const ROUTES_START = "<!-- rest-routes:start (npm run codegen writes this table) -->";
const ROUTES_END = "<!-- rest-routes:end -->";

const printed = `${printSchema(lexicographicSortSchema(schema))}\n`;

async function generatedFiles(schemaSource: string): Promise<Array<{ filename: string; content: string }>> {
  const outputs = (await generate(
    { ...codegenConfig, cwd: root, schema: schemaSource, silent: true, verbose: false },
    false,
  )) as Array<{ filename: string; content: string }>;
  return outputs.map((output) => ({ filename: join(root, output.filename), content: output.content }));
}

async function readOrEmpty(file: string): Promise<string> {
  return readFile(file, "utf8").catch(() => "");
}

/** The README with its table of routes rebuilt from the route table codegen wrote. */
function readmeWithRoutes(readme: string, routesJson: string): string {
  const start = readme.indexOf(ROUTES_START);
  const end = readme.indexOf(ROUTES_END);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks the ${ROUTES_START} ... ${ROUTES_END} markers`);
  const routes = JSON.parse(routesJson) as Array<{ method: string; path: string; operation: string }>;
  const rows = routes.map((route) => [`\`${route.method} ${route.path}\``, `\`${route.operation}\``]);
  const header = ["route", "operation"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const table = [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
  return `${readme.slice(0, start + ROUTES_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

const command = process.argv[2];
if (command === "print") {
  await writeFile(schemaFile, printed);
  const files = await generatedFiles(printed);
  for (const file of files) await writeFile(file.filename, file.content);
  const routes = files.find((file) => file.filename === routesFile)?.content ?? "[]";
  await writeFile(readmeFile, readmeWithRoutes(await readFile(readmeFile, "utf8"), routes));
  console.log("schema/schema.graphql, schema/generated/ and the README's routes are up to date");
} else if (command === "check") {
  const drift: string[] = [];
  if ((await readOrEmpty(schemaFile)) !== printed) drift.push("schema/schema.graphql");
  const files = await generatedFiles(printed);
  for (const file of files) {
    if ((await readOrEmpty(file.filename)) !== file.content) drift.push(file.filename.slice(root.length + 1));
  }
  const readme = await readFile(readmeFile, "utf8");
  const routes = files.find((file) => file.filename === routesFile)?.content ?? "[]";
  if (readmeWithRoutes(readme, routes) !== readme) drift.push("README.md (the table of REST routes)");
  if (drift.length) {
    console.error(`Out of date: ${drift.join(", ")}\nRun \`npm run schema:print\` and commit the result.`);
    process.exit(1);
  }
  console.log("schema and generated documents match the code");
} else {
  console.error("usage: tsx scripts/schema.ts print|check");
  process.exit(2);
}
