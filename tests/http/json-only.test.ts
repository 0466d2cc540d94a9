// CSRF prevention: only JSON POSTs run GraphQL operations; GET still runs queries, never mutations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const signUpMutation = (email: string) =>
  `mutation { signUp(input: { email: "${email}", password: "long-enough-pw", firstName: "Cross", lastName: "Site" }) { accessToken } }`;
const userExists = async (email: string) => (await t.app.db.user.findUnique({ where: { email } })) !== null;
const fresh = (kind: string) => `${kind}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;

describe("POST bodies a browser sends cross-site without a preflight", () => {
  it("refuses form-urlencoded with 415 and creates no user", async () => {
    const email = fresh("form");
    const response = await fetch(`${t.url}/graphql`, {
      method: "POST",
      body: new URLSearchParams({ query: signUpMutation(email) }),
    });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.status).toBe(415);
    expect((await response.json()).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(await userExists(email)).toBe(false);
  });

  it("refuses multipart/form-data and text/plain, and creates no user", async () => {
    const multipartEmail = fresh("multipart");
    const form = new FormData();
    form.set("operations", JSON.stringify({ query: signUpMutation(multipartEmail) }));
    form.set("map", "{}");
    const multipart = await fetch(`${t.url}/graphql`, { method: "POST", body: form });
    expect(multipart.status).toBe(415);

    const textEmail = fresh("text");
    const text = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: signUpMutation(textEmail) }),
    });
    expect(text.status).toBe(415);
    expect(await userExists(multipartEmail)).toBe(false);
    expect(await userExists(textEmail)).toBe(false);
  });
});

describe("what clients send", () => {
  it("runs JSON POSTs, with or without a charset", async () => {
    const email = fresh("json");
    const response = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        accept: "application/graphql-response+json",
      },
      body: JSON.stringify({ query: signUpMutation(email) }),
    });
    expect(response.status).toBe(200);
    expect(await userExists(email)).toBe(true);
  });

  it("runs GET queries and refuses GET mutations", async () => {
    const query = await fetch(`${t.url}/graphql?query=${encodeURIComponent("{ __typename }")}`);
    expect(await query.json()).toEqual({ data: { __typename: "Query" } });
    const email = fresh("get");
    const mutation = await fetch(`${t.url}/graphql?query=${encodeURIComponent(signUpMutation(email))}`);
    expect(mutation.status).toBe(405);
    expect(await userExists(email)).toBe(false);
  });
});
