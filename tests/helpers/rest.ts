// A REST client for tests, speaking to the /api facade as a REST consumer would.
import { expect } from "vitest";

export interface RestResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The body as sent, for byte-for-byte comparisons. */
  text: string;
  /** The body as JSON (undefined when it is not JSON). */
  json: T;
}

export interface RestErrorBody {
  error: { code: string; message: string; fields: Array<{ path: string; message: string }> };
}

export interface RestCall {
  query?: Record<string, string | number | boolean | ReadonlyArray<string | number>>;
  body?: unknown;
  headers?: Record<string, string>;
}

export class RestClient {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  as(accessToken: string): RestClient {
    return new RestClient(this.baseUrl, { ...this.headers, authorization: `Bearer ${accessToken}` });
  }

  async call<T = unknown>(method: string, path: string, call: RestCall = {}): Promise<RestResponse<T>> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
    }
    const headers: Record<string, string> = { accept: "application/json", ...this.headers, ...call.headers };
    let body: string | undefined;
    if (call.body !== undefined) {
      body = typeof call.body === "string" ? call.body : JSON.stringify(call.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json: json as T };
  }

  get = <T = unknown>(path: string, call?: RestCall) => this.call<T>("GET", path, call);
  post = <T = unknown>(path: string, call?: RestCall) => this.call<T>("POST", path, call);
}

/** The error body of CONTRACT §8 with this status and code, and nothing else in it. */
export function expectRestError(
  response: RestResponse,
  status: number,
  code: string,
): RestErrorBody["error"] {
  expect({ status: response.status, body: response.json }).toMatchObject({
    status,
    body: { error: { code } },
  });
  const body = response.json as RestErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "fields", "message"]);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(body.error.fields)).toBe(true);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return body.error;
}

/** The paths of an error's field errors, sorted. */
export const fieldPaths = (response: RestResponse): string[] =>
  (response.json as RestErrorBody).error.fields.map((field) => field.path).sort();
