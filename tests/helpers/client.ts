// A typed GraphQL-over-HTTP client for tests, speaking to the server as a front end would.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

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

  async request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    ...[variables]: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<GraphQLResponse<TData>> {
    const query = typeof document === "string" ? document : print(document);
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json",
        ...this.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: TData | null; errors?: GraphQLErrorJson[] };
    return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
  }

  /** Like request, but fails the test on any GraphQL error and returns the data. */
  async ok<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    ...variables: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<TData> {
    const result = await this.request(document, ...variables);
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
