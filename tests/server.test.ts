import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeDocument } from "../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { codeOf } from "./helpers/client.ts";
import { factories } from "./helpers/factories.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    configure: (config) => {
      config.limits = { maxDepth: 3, maxAliases: 2, maxCost: 6, maxTokens: 200 };
    },
  });
});
afterAll(() => t.close());

describe("plain routes", () => {
  it("GET /healthz answers 200", async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 when PostgreSQL and Redis answer", async () => {
    const response = await fetch(`${t.url}/readyz`);
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.checks.postgres).toBe("up");
    if (t.app.redis) expect(body.checks.redis).toBe("up");
  });

  it("GET /metrics serves Prometheus text with request and pool metrics", async () => {
    await fetch(`${t.url}/healthz`);
    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/roost_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
    expect(text).toContain("roost_db_pool_total_connections");
  });

  it("labels requests by known route: 40 requests to random paths add no series", async () => {
    const httpSeries = async (): Promise<Set<string>> => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const lines = text.split("\n").filter((line) => line.startsWith("roost_http_"));
      return new Set(lines.map((line) => line.slice(0, line.lastIndexOf(" "))));
    };
    await fetch(`${t.url}/probe-warm-up`);
    await fetch(`${t.url}/metrics`);
    const before = await httpSeries();
    await Promise.all(
      Array.from({ length: 40 }, () => fetch(`${t.url}/probe-${randomBytes(4).toString("hex")}`)),
    );
    const after = await httpSeries();
    expect([...after].filter((series) => !before.has(series))).toEqual([]);
    expect([...after].some((series) => series.includes('route="other"'))).toBe(true);
  });

  it("echoes a valid x-request-id and makes one up otherwise", async () => {
    const given = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves GraphiQL to a browser outside production", async () => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Roost GraphiQL");
  });
});

describe("GraphQL over HTTP", () => {
  it("answers GET queries and refuses GET mutations", async () => {
    const query = encodeURIComponent("{ amenitiesProbe: __typename }");
    const get = await fetch(`${t.url}/graphql?query=${query}`, { headers: { accept: "application/json" } });
    expect(await get.json()).toEqual({ data: { amenitiesProbe: "Query" } });
    const mutation = encodeURIComponent(
      'mutation { logIn(input: { email: "a@b.test", password: "x" }) { accessToken } }',
    );
    const refused = await fetch(`${t.url}/graphql?query=${mutation}`, {
      headers: { accept: "application/json" },
    });
    expect(refused.status).toBe(405);
  });

  it("reports syntax errors and unknown fields as BAD_USER_INPUT", async () => {
    expect(codeOf(await t.client.request("{ me { id "))).toBe("BAD_USER_INPUT");
    const unknown = await t.client.request("{ me { id password } }");
    expect(unknown.status).toBe(400);
    expect(codeOf(unknown)).toBe("BAD_USER_INPUT");
  });

  it("refuses a body over 1 MB", async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }", variables: { blob: "x".repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
  });
});

describe("query limits answer QUERY_TOO_COMPLEX", () => {
  it("depth, counted through fragments", async () => {
    const shallow = await startTestApp({
      configure: (config) => {
        config.limits.maxDepth = 1;
      },
    });
    try {
      const direct = await shallow.client.request("{ me { id } }");
      expect(codeOf(direct)).toBe("QUERY_TOO_COMPLEX");
      expect(direct.errors?.[0]?.message).toMatch(/depth 2/);
      const viaFragment = await shallow.client.request("query { ...F } fragment F on Query { me { id } }");
      expect(codeOf(viaFragment)).toBe("QUERY_TOO_COMPLEX");
      // Introspection is not limited: GraphiQL's own query is deep.
      expect(codeOf(await shallow.client.request("{ __schema { queryType { name } } }"))).toBeUndefined();
    } finally {
      await shallow.close();
    }
  });

  it("aliases", async () => {
    const result = await t.client.request("{ a: me { id } b: me { id } c: me { id } }");
    expect(codeOf(result)).toBe("QUERY_TOO_COMPLEX");
    expect(result.errors?.[0]?.message).toMatch(/aliases/);
  });

  it("cost", async () => {
    const result = await t.client.request("{ me { id email firstName lastName avatarUrl bio isHost } }");
    expect(codeOf(result)).toBe("QUERY_TOO_COMPLEX");
    expect(result.errors?.[0]?.message).toMatch(/cost/);
  });

  it("tokens", async () => {
    const result = await t.client.request(`{ ${"__typename ".repeat(250)} }`);
    expect(codeOf(result)).toBe("QUERY_TOO_COMPLEX");
    expect(result.errors?.[0]?.message).toMatch(/tokens/);
  });
});

describe("failures", () => {
  it("masks unexpected errors as INTERNAL_SERVER_ERROR without internals, and readiness reports the database down", async () => {
    const broken = await startTestApp();
    try {
      const user = await factories(broken).user().create();
      await broken.app.database.close();
      const result = await user.client.request(MeDocument);
      expect(codeOf(result)).toBe("INTERNAL_SERVER_ERROR");
      expect(result.errors?.[0]?.message).toBe("Internal server error");
      expect(JSON.stringify(result)).not.toMatch(/prisma|pool|stack/i);

      const ready = await fetch(`${broken.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).down).toEqual(["postgres"]);
    } finally {
      await broken.close();
    }
  });

  it("readiness names Redis when it stops answering", async ({ skip }) => {
    if (!t.app.redis) skip("no REDIS_URL in this run");
    const app = await startTestApp();
    try {
      app.app.redis?.disconnect();
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).down).toEqual(["redis"]);
    } finally {
      await app.close();
    }
  });
});
