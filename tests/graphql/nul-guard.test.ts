// U+0000 in any string input is BAD_USER_INPUT before anything runs (it was a 500: 22021).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignUpDocument } from "../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { codeOf, fieldsOf } from "../helpers/client.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const signUpInput = (firstName: string) => ({
  email: `nul-${Math.random().toString(36).slice(2)}@example.test`,
  password: "long-enough-password",
  firstName,
  lastName: "Tester",
});

describe("NUL characters", () => {
  it("are refused in variables, naming the field, and nothing is written", async () => {
    const input = signUpInput("Ab\u0000c");
    const result = await t.client.request(SignUpDocument, { input });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path: "firstName", message: "must not contain NUL characters" }]);
    expect(await t.app.db.user.count({ where: { email: input.email } })).toBe(0);
  });

  it("are refused in document literals", async () => {
    const email = `nul-literal-${Math.random().toString(36).slice(2)}@example.test`;
    const document = `mutation { signUp(input: { email: "${email}", password: "long-enough-password", firstName: "A\\u0000b", lastName: "C" }) { accessToken } }`;
    const result = await t.client.request(document);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(await t.app.db.user.count({ where: { email } })).toBe(0);
  });

  it("let the same input through without the NUL", async () => {
    const input = signUpInput("Abc");
    const result = await t.client.request(SignUpDocument, { input });
    expect(result.errors).toBeUndefined();
    expect(await t.app.db.user.count({ where: { email: input.email } })).toBe(1);
  });
});
