// The query-cost limits over HTTP with the default config: documents that once ran for minutes
// or answered megabytes are refused before anything resolves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { codeOf } from "../helpers/client.ts";
import { fragmentBomb, yearOfNightsOnSearchPages } from "./documents.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("query cost", () => {
  it("refuses nested fragment spreads with QUERY_TOO_COMPLEX while /healthz answers", async () => {
    // 2^29 amenity selections once expanded: before fragments were measured once, this held the
    // process (and this test) for many minutes.
    const [refused, health] = await Promise.all([
      t.client.request(fragmentBomb(29)),
      fetch(`${t.url}/healthz`),
    ]);
    expect(codeOf(refused)).toBe("QUERY_TOO_COMPLEX");
    expect(refused.errors?.[0]?.message).toMatch(/cost/);
    expect(health.status).toBe(200);
  });

  it("refuses twenty aliased search pages of a year's calendar", async () => {
    const result = await t.client.request(yearOfNightsOnSearchPages(20));
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe("QUERY_TOO_COMPLEX");
    expect(result.data ?? null).toBeNull();
  });

  it("still answers one listing's year of nights and a full page of search results", async () => {
    const listing = `{ listing(id: "x") { calendar(from: "2030-01-01", to: "2031-01-01") { date available nightlyPrice { amount currency formatted } } } }`;
    expect(codeOf(await t.client.request(listing))).toBe("NOT_FOUND");
    const page = "{ searchListings(first: 100) { edges { node { id title photos { url } } } totalCount } }";
    expect(codeOf(await t.client.request(page))).toBeUndefined();
  });
});
