import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogInDocument } from "../../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    configure: (config) => {
      config.auth.loginFailuresPerAccount = 3;
      config.auth.loginAttemptsPerIp = 12;
    },
  });
});
afterAll(() => t.close());

describe("logIn", () => {
  it("opens a session for the right password, whatever the e-mail's case", async () => {
    const user = await factories(t).user().create();
    const { logIn } = await t.client.ok(LogInDocument, {
      input: { email: user.email.toUpperCase(), password: user.password },
    });
    expect(logIn.user.id).toBe(user.globalId);
    expect(logIn.refreshToken).not.toBe(user.refreshToken);
    expect(await t.app.db.session.count({ where: { userId: user.id } })).toBe(2);
  });

  it("answers UNAUTHENTICATED alike for a wrong password and an unknown e-mail", async () => {
    const user = await factories(t).user().create();
    const wrong = await t.client.request(LogInDocument, {
      input: { email: user.email, password: "wrong-password" },
    });
    const unknown = await t.client.request(LogInDocument, {
      input: { email: "nobody@example.test", password: "wrong-password" },
    });
    expect(codeOf(wrong)).toBe("UNAUTHENTICATED");
    expect(codeOf(unknown)).toBe("UNAUTHENTICATED");
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });

  it("refuses a malformed e-mail with BAD_USER_INPUT", async () => {
    const result = await t.client.request(LogInDocument, { input: { email: "nope", password: "whatever1" } });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
  });

  it("refuses a password longer than any account can have, before hashing it", async () => {
    const result = await t.client.request(LogInDocument, {
      input: { email: "someone@example.test", password: "x".repeat(201) },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path: "password", message: "must be at most 200 characters" }]);
  });

  it("locks an account after repeated failures, even for the right password, with retryAfter", async () => {
    const user = await factories(t).user().create();
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await t.client.request(LogInDocument, {
        input: { email: user.email, password: "bad-password" },
      });
      expect(codeOf(result)).toBe("UNAUTHENTICATED");
    }
    const locked = await t.client.request(LogInDocument, {
      input: { email: user.email, password: user.password },
    });
    expect(codeOf(locked)).toBe("RATE_LIMITED");
    expect(locked.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    // Another account from the same client is unaffected.
    const other = await factories(t).user().create();
    await t.client.ok(LogInDocument, { input: { email: other.email, password: other.password } });
  });

  it("limits attempts per client address", async () => {
    const ipLimited = await startTestApp({
      configure: (config) => {
        config.auth.loginAttemptsPerIp = 2;
      },
    });
    try {
      const user = await factories(ipLimited).user().create();
      const attempt = () =>
        ipLimited.client.request(LogInDocument, { input: { email: user.email, password: user.password } });
      expect(codeOf(await attempt())).toBeUndefined();
      expect(codeOf(await attempt())).toBeUndefined();
      expect(codeOf(await attempt())).toBe("RATE_LIMITED");
    } finally {
      await ipLimited.close();
    }
  });
});
