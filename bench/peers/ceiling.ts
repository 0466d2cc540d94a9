// The stack's ceiling: graphql-yoga with compiled execution (graphql-jit) on node:http, serving
// Roost's printed schema and persisted documents, whose root fields answer what Roost answered.
// No database, no cache, no auth: what is left is the HTTP and GraphQL layers Roost is built on.
import { readFileSync } from "node:fs";
import { useGraphQlJit } from "@envelop/graphql-jit";
import {
  buildSchema,
  type DocumentNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  visit,
} from "graphql";
import { createYoga } from "graphql-yoga";
import { persistedDocument, useRoostPersistedOperations } from "../../src/graphql/persisted-operations.ts";
import { listenOnLoopback, type PeerServer } from "./http.ts";
import type { Recording, Variables } from "./record.ts";

const SCHEMA_FILE = new URL("../../schema/schema.graphql", import.meta.url);

type Answer = Record<string, unknown>;

export async function startCeilingPeer(
  recordings: ReadonlyMap<string, Recording>,
  key: (variables: Variables) => string,
): Promise<PeerServer> {
  const answers = new Map<string, Answer>();
  for (const [answerKey, recording] of recordings) {
    const { data } = JSON.parse(recording.body) as { data?: Answer };
    if (!data) throw new Error(`${answerKey}: Roost's answer has no data`);
    answers.set(answerKey, data);
  }
  const documents = [...recordings.values()].map((recording) => persistedDocumentOf(recording));
  const schema = ceilingSchema(answers, key, documents.some(hasAliases));
  const yoga = createYoga({
    schema,
    graphqlEndpoint: "/graphql",
    // Roost's own settings for these (src/server.ts); nothing else of Roost's pipeline.
    landingPage: false,
    graphiql: false,
    cors: false,
    multipart: false,
    logging: false,
    plugins: [useRoostPersistedOperations({ persistedOnly: true }), useGraphQlJit()],
  });
  return listenOnLoopback(yoga);
}

/**
 * The printed schema with a resolver on each root field: the recorded answer for the request's
 * variables, read at the field's response key. Below the root, graphql's default resolvers read
 * the answer's properties, unless a document aliases a field: then every field reads its response
 * key (slower, and said so). Abstract types resolve from the answer's `__typename`.
 */
function ceilingSchema(
  answers: ReadonlyMap<string, Answer>,
  key: (variables: Variables) => string,
  aliased: boolean,
): GraphQLSchema {
  const schema = buildSchema(readFileSync(SCHEMA_FILE, "utf8"));
  const answerFor = (info: GraphQLResolveInfo): unknown => {
    const answer = answers.get(key(info.variableValues));
    if (!answer) throw new Error(`no recorded answer for ${JSON.stringify(info.variableValues)}`);
    return answer[info.path.key];
  };
  const roots = [schema.getQueryType(), schema.getMutationType()];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isAbstractType(type)) {
      type.resolveType = (value) => {
        const name = (value as { __typename?: unknown }).__typename;
        if (typeof name !== "string") {
          throw new Error(`${type.name}: the document must select __typename for the ceiling to resolve it`);
        }
        return name;
      };
    }
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const root = roots.includes(type);
    if (!root && !aliased) continue;
    for (const field of Object.values(type.getFields())) {
      field.resolve = root
        ? (_source, _args, _context, info) => answerFor(info)
        : (source: Answer, _args, _context, info) => source[info.path.key];
    }
  }
  return schema;
}

function persistedDocumentOf(recording: Recording): DocumentNode {
  const { extensions } = JSON.parse(recording.spec.body ?? "{}") as {
    extensions?: { persistedQuery?: { sha256Hash?: string } };
  };
  const hash = extensions?.persistedQuery?.sha256Hash;
  const source = hash ? persistedDocument(hash) : undefined;
  if (!source) throw new Error(`${recording.key}: not a persisted-operation request`);
  return parse(source);
}

/** True when the document aliases a field anywhere. */
function hasAliases(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD]: (node) => {
      if (node.alias) found = true;
    },
  });
  return found;
}
