// CORS: CORS_ORIGINS decides who may call from a browser; "null" never may; credentials only for listed origins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createYogaServer, type Yoga } from "../../src/server.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

const listed = "https://app.example.com";
let t: TestApp;
let development: Yoga;
let production: Yoga;
beforeAll(async () => {
  t = await startTestApp({
    configure: (config) => {
      config.http.corsOrigins = [listed];
    },
  });
  // The same app under the other policies, in process: the policy is all that differs.
  development = createYogaServer({
    ...t.app,
    config: { ...t.app.config, http: { ...t.app.config.http, corsOrigins: "*" } },
  });
  production = createYogaServer({
    ...t.app,
    config: { ...t.app.config, http: { ...t.app.config.http, corsOrigins: [] } },
  });
});
afterAll(async () => {
  await development.dispose();
  await production.dispose();
  await t.close();
});

const preflight = (origin: string) => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type, authorization",
  },
});
const post = (origin: string) => ({
  method: "POST",
  headers: { origin, "content-type": "application/json" },
  body: JSON.stringify({ query: "{ __typename }" }),
});
const corsOf = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("access-control-")));

describe("listed origins (CORS_ORIGINS), over HTTP", () => {
  it("answers a listed origin's preflight with credentials, methods and the asked headers", async () => {
    const response = await fetch(`${t.url}/graphql`, preflight(listed));
    expect(response.status).toBe(204);
    expect(corsOf(response)).toMatchObject({
      "access-control-allow-origin": listed,
      "access-control-allow-credentials": "true",
      "access-control-allow-headers": "content-type, authorization",
    });
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("marks a listed origin's actual response, and exposes Retry-After", async () => {
    const response = await fetch(`${t.url}/graphql`, post(listed));
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
    expect(response.headers.get("access-control-allow-origin")).toBe(listed);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toContain("retry-after");
  });

  it("lets a listed origin call the REST facade: PUT and Idempotency-Key allowed, replays visible", async () => {
    const pre = await fetch(`${t.url}/api/listings/x/calendar`, {
      method: "OPTIONS",
      headers: {
        origin: listed,
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(pre.headers.get("access-control-allow-headers")).toBe(
      "authorization, content-type, idempotency-key",
    );
    const actual = await fetch(`${t.url}/api/currencies`, { headers: { origin: listed } });
    expect(actual.status).toBe(200);
    expect(actual.headers.get("access-control-allow-origin")).toBe(listed);
    expect(actual.headers.get("access-control-expose-headers")).toContain("idempotent-replayed");
  });

  it("gives other origins and `null` no CORS headers at all", async () => {
    for (const origin of ["https://evil.example", "null", "https://app.example.com.evil.example"]) {
      expect(corsOf(await fetch(`${t.url}/graphql`, preflight(origin))), origin).toEqual({});
      expect(corsOf(await fetch(`${t.url}/graphql`, post(origin))), origin).toEqual({});
    }
  });
});

describe("development default: any origin, without credentials", () => {
  it("allows any real origin without credentials, and never `null`", async () => {
    const pre = await development.fetch("http://localhost/graphql", preflight("http://localhost:5173"));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
    const actual = await development.fetch("http://localhost/graphql", post("http://localhost:5173"));
    expect(actual.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(actual.headers.get("access-control-allow-credentials")).toBeNull();
    expect(corsOf(await development.fetch("http://localhost/graphql", post("null")))).toEqual({});
  });
});

describe("production default: no origin", () => {
  it("sends no CORS headers, to any origin", async () => {
    for (const origin of [listed, "http://localhost:5173", "null"]) {
      expect(corsOf(await production.fetch("http://localhost/graphql", preflight(origin)))).toEqual({});
      expect(corsOf(await production.fetch("http://localhost/graphql", post(origin)))).toEqual({});
    }
  });
});
