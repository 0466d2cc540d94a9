// Persisted operations (CONTRACT §1): the manifest codegen writes from schema/operations,
// looked up by `extensions.persistedQuery.sha256Hash` or by `documentId`.

import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import manifest from "../../schema/generated/persisted-documents.json" with { type: "json" };

/** Documents by bare hex hash (the manifest keys carry a "sha256:" prefix). */
const documents = new Map<string, string>(
  Object.entries(manifest as Record<string, string>).map(([key, document]) => [
    key.replace(/^sha256:/, ""),
    document,
  ]),
);

/** Every stored document with its bare hash (the REST facade compiles its routes from them). */
export function persistedOperations(): Array<{ hash: string; document: string }> {
  return [...documents].map(([hash, document]) => ({ hash, document }));
}

export function persistedDocument(id: string): string | undefined {
  return documents.get(id.replace(/^sha256:/, ""));
}

function operationId(params: GraphQLParams): string | null {
  const hash = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  if (typeof hash === "string") return hash;
  const documentId = (params as GraphQLParams & { documentId?: unknown }).documentId;
  return typeof documentId === "string" ? documentId : null;
}

export function useRoostPersistedOperations(options: { persistedOnly: boolean }): Plugin {
  const error = (code: string, message: string) => ({ message, extensions: { code, http: { status: 400 } } });
  return usePersistedOperations({
    allowArbitraryOperations: !options.persistedOnly,
    extractPersistedOperationId: operationId,
    getPersistedOperation: (id) => persistedDocument(id) ?? null,
    customErrors: {
      notFound: error("PERSISTED_QUERY_NOT_FOUND", "Persisted query not found"),
      persistedQueryOnly: error("PERSISTED_QUERY_ONLY", "Only persisted queries are accepted"),
      keyNotFound: error("PERSISTED_QUERY_ONLY", "Only persisted queries are accepted"),
    },
  });
}
