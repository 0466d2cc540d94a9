// /metrics: bounded route labels, and an optional bearer token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeLabel } from "../../src/http/route-label.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

const token = "metrics-token-for-tests";
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    configure: (config) => {
      config.http.metricsToken = token;
    },
  });
});
afterAll(() => t.close());

const scrape = async (): Promise<string> => {
  const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.text();
};
describe("route labels", () => {
  it("labels known routes by name and everything else `other`", () => {
    const table: Array<[string, string]> = [
      ["/graphql", "/graphql"],
      ["/healthz", "/healthz"],
      ["/readyz", "/readyz"],
      ["/metrics", "/metrics"],
      ["/api", "/api"],
      ["/api/listings/abc", "/api"],
      ["/webhooks/stripe", "/webhooks"],
      ["/ical/token123.ics", "/ical"],
      ["/exports/a-secret-download-token", "/exports"],
      ["/apikeys", "other"],
      ["/graphql/extra", "other"],
      ["/probe-1", "other"],
      ["/", "other"],
    ];
    for (const [path, label] of table) expect(routeLabel(path), path).toBe(label);
  });
});

describe("METRICS_TOKEN", () => {
  it("answers 401 without the bearer token, or with a wrong one", async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain("roost_");
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
  });

  it("serves the metrics with it", async () => {
    const text = await scrape();
    expect(text).toContain("roost_http_requests_total");
    expect(text).toMatch(/^roost_db_pool_total_connections \d+$/m);
    // Without DATABASE_REPLICA_URL there is no replica pool to count (tests/scale/read-replica.test.ts).
    expect(text).not.toContain("roost_db_replica_pool");
  });
});
