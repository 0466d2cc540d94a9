// GraphQL over HTTP compliance: graphql-http's server audit suite against the live server, over a
// real port. Every audit passes today (the 13 MUSTs and every SHOULD and MAY), and must keep passing.
import { auditServer } from "graphql-http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it("passes every audit of the GraphQL-over-HTTP suite, each MUST among them", async () => {
  const results = await auditServer({ url: `${t.url}/graphql` });
  expect(results.filter((result) => result.name.startsWith("MUST")).length).toBeGreaterThanOrEqual(13);
  const failed = results
    .filter((result) => result.status !== "ok")
    .map(
      (result) => `${result.id} ${result.status} ${result.name}: ${"reason" in result ? result.reason : ""}`,
    );
  expect(failed).toEqual([]);
});
