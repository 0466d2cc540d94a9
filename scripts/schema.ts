// `print` writes schema/schema.graphql from the Pothos schema and regenerates the typed
// documents; `check` fails when either differs from what is committed.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { lexicographicSortSchema, printSchema } from "graphql";
import codegenConfig from "../codegen.ts";
import { schema } from "../src/graphql/schema.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaFile = join(root, "schema", "schema.graphql");

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

const command = process.argv[2];
if (command === "print") {
  await writeFile(schemaFile, printed);
  for (const file of await generatedFiles(printed)) await writeFile(file.filename, file.content);
  console.log("schema/schema.graphql and schema/generated/ are up to date");
} else if (command === "check") {
  const drift: string[] = [];
  if ((await readOrEmpty(schemaFile)) !== printed) drift.push("schema/schema.graphql");
  for (const file of await generatedFiles(printed)) {
    if ((await readOrEmpty(file.filename)) !== file.content) drift.push(file.filename.slice(root.length + 1));
  }
  if (drift.length) {
    console.error(`Out of date: ${drift.join(", ")}\nRun \`npm run schema:print\` and commit the result.`);
    process.exit(1);
  }
  console.log("schema and generated documents match the code");
} else {
  console.error("usage: tsx scripts/schema.ts print|check");
  process.exit(2);
}
