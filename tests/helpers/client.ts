// A typed GraphQL-over-HTTP client for tests, speaking to the server as a front end would.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

/** Codegen's client preset stamps each document with its manifest hash. */
type PersistedDocument = { __meta__?: { hash?: string } };

export interface GraphQLErrorJson {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; fields?: Array<{ path: string; message: string }>; retryAfter?: number };
}

export interface GraphQLResponse<TData> {
  status: number;
  data?: TData | null;
  errors?: GraphQLErrorJson[];
  headers: Headers;
}

export class GraphQLClient {
  constructor(
    readonly endpoint: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** A client that sends this access token. */
  as(accessToken: string): GraphQLClient {
    return new GraphQLClient(this.endpoint, { ...this.headers, authorization: `Bearer ${accessToken}` });
  }

  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.endpoint, { ...this.headers, ...headers });
  }

  /**
   * Sends a generated document by its persisted id, as a production client does
   * (GRAPHQL_PERSISTED_ONLY); a string is sent as a plain query.
   */
  async request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
  ): Promise<GraphQLResponse<TData>> {
    const persistedId =
      typeof document === "string" ? undefined : (document as PersistedDocument).__meta__?.hash;
    const operation = persistedId
      ? { extensions: { persistedQuery: { version: 1, sha256Hash: persistedId.replace(/^sha256:/, "") } } }
      : { query: typeof document === "string" ? document : print(document) };
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json",
        ...this.headers,
      },
      body: JSON.stringify({ ...operation, variables }),
    });
    const body = (await response.json()) as { data?: TData | null; errors?: GraphQLErrorJson[] };
    return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
  }

  /** Like request, but fails the test on any GraphQL error and returns the data. */
  async ok<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
  ): Promise<TData> {
    const result = await this.request(document, variables);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL request failed: ${JSON.stringify(result.errors ?? result)}`);
    }
    return result.data;
  }
}

/** The single error's code, for `expect(codeOf(result)).toBe("NOT_FOUND")`. */
export function codeOf(result: { errors?: GraphQLErrorJson[] }): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

export function fieldsOf(result: { errors?: GraphQLErrorJson[] }): Array<{ path: string; message: string }> {
  return result.errors?.[0]?.extensions?.fields ?? [];
}
