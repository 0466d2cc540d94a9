// Typed documents, the persisted-operations manifest and the REST route table, generated
// from schema/operations.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["schema/operations/**/*.graphql"],
  ignoreNoDocuments: true,
  generates: {
    "schema/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { ID: "string", Date: "string", DateTime: "string" },
      },
    },
    // The REST facade's routes, from the operations' `# @route` comments.
    "schema/generated/rest-routes.json": { plugins: ["./scripts/codegen/rest-routes.ts"] },
  },
};

export default config;
