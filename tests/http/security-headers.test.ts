// Security headers on every response, and GraphiQL served from npm (no CDN) outside production only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createYogaServer } from "../../src/server.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const expectBaseline = (response: Response) => {
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
};

describe("on data responses", () => {
  it("GraphQL POST and GET answers are never cached and are no document to render", async () => {
    const responses = [
      await fetch(`${t.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      }),
      await fetch(`${t.url}/graphql?query=${encodeURIComponent("{ __typename }")}`),
      await fetch(`${t.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{ not json",
      }),
    ];
    for (const response of responses) {
      expectBaseline(response);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-security-policy")).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
    }
  });

  it("plain routes and unknown paths carry them too", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/nowhere"]) {
      const response = await fetch(`${t.url}${path}`);
      expectBaseline(response);
      expect(response.headers.get("content-security-policy"), path).toContain("default-src 'none'");
    }
  });
});

describe("GraphiQL", () => {
  it("is one page with everything inlined: no script or stylesheet from another host", async () => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expectBaseline(response);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain("Roost GraphiQL");
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*\shref=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import\s+(url\()?["']?https?:/i);
  });

  it("opens on a search", async () => {
    const html = await (await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } })).text();
    expect(html).toMatch(/"defaultQuery":"[^"]*searchListings/);
  });

  it("is not served in production", async () => {
    const yoga = createYogaServer({ ...t.app, config: { ...t.app.config, isProduction: true } });
    try {
      const response = await yoga.fetch("http://localhost/graphql", { headers: { accept: "text/html" } });
      expect(response.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
      expect(await response.text()).not.toContain("GraphiQL");
    } finally {
      await yoga.dispose();
    }
  });
});
