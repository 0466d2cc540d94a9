import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeDocument, SignUpDocument } from "../../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const input = (
  overrides: Partial<{ email: string; password: string; firstName: string; lastName: string }> = {},
) => ({
  email: `new-${Math.random().toString(36).slice(2)}@Example.test`,
  password: "correct horse battery",
  firstName: "Ana",
  lastName: "Silva",
  ...overrides,
});

describe("signUp", () => {
  it("creates a guest account, returns a session and stores the e-mail lower-cased", async () => {
    const given = input({ firstName: "  Ana ", email: "  Mixed.Case@Example.TEST " });
    const { signUp } = await t.client.ok(SignUpDocument, { input: given });
    expect(signUp.user).toMatchObject({ email: "mixed.case@example.test", firstName: "Ana", isHost: false });
    expect(signUp.accessToken.split(".")).toHaveLength(3);
    expect(signUp.refreshToken.length).toBeGreaterThan(30);

    const me = await t.client.as(signUp.accessToken).ok(MeDocument);
    expect(me.me?.id).toBe(signUp.user.id);

    const row = await t.app.db.user.findUniqueOrThrow({ where: { email: "mixed.case@example.test" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.role).toBe("GUEST");
  });

  it("queues the welcome e-mail in the same transaction", async () => {
    const given = input();
    await t.client.ok(SignUpDocument, { input: given });
    const jobs = await t.app.db.$queryRaw<Array<{ payload: { to: string; template: string } }>>`
      SELECT job.payload FROM graphile_worker._private_jobs job
      JOIN graphile_worker._private_tasks task ON task.id = job.task_id
      WHERE task.identifier = 'send_email'`;
    expect(jobs.map((job) => job.payload)).toContainEqual(
      expect.objectContaining({ to: given.email.toLowerCase(), template: "welcome" }),
    );
  });

  it("refuses an e-mail already registered, whatever its case, with CONFLICT", async () => {
    const given = input();
    await t.client.ok(SignUpDocument, { input: given });
    const again = await t.client.request(SignUpDocument, {
      input: { ...given, email: given.email.toUpperCase() },
    });
    expect(codeOf(again)).toBe("CONFLICT");
    expect(fieldsOf(again)).toEqual([{ path: "email", message: "is already registered" }]);
    expect(await t.app.db.user.count({ where: { email: given.email.toLowerCase() } })).toBe(1);
  });

  it.each([
    ["email", { email: "not-an-email" }, "must be a valid e-mail address"],
    ["email", { email: `${"a".repeat(250)}@x.io` }, "must be at most 254 characters"],
    ["password", { password: "short" }, "must be at least 8 characters"],
    ["password", { password: "x".repeat(201) }, "must be at most 200 characters"],
    ["firstName", { firstName: "   " }, "must not be empty"],
    ["lastName", { lastName: "x".repeat(61) }, "must be at most 60 characters"],
  ])("refuses a bad %s with BAD_USER_INPUT naming it", async (path, overrides, message) => {
    const result = await t.client.request(SignUpDocument, { input: input(overrides) });
    expect(result.data ?? null).toBeNull();
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path, message }]);
  });

  it("reports every bad field at once", async () => {
    const result = await t.client.request(SignUpDocument, {
      input: input({ email: "nope", password: "1234", firstName: "" }),
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(
      fieldsOf(result)
        .map((field) => field.path)
        .sort(),
    ).toEqual(["email", "firstName", "password"]);
  });

  it("limits sign-ups per client address", async () => {
    const limited = await startTestApp({
      configure: (config) => {
        config.auth.signUpsPerIpPerHour = 2;
      },
    });
    try {
      const attempt = () => limited.client.request(SignUpDocument, { input: input() });
      expect(codeOf(await attempt())).toBeUndefined();
      expect(codeOf(await attempt())).toBeUndefined();
      const third = await attempt();
      expect(codeOf(third)).toBe("RATE_LIMITED");
      expect(third.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(3500);
    } finally {
      await limited.close();
    }
  });

  it("answers BAD_USER_INPUT when a required variable is missing or of the wrong type", async () => {
    const missing = await t.client.request(SignUpDocument, {
      input: { email: "a@b.test", password: "12345678", firstName: "A" } as never,
    });
    expect(codeOf(missing)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(missing)).toEqual([{ path: "lastName", message: "is required" }]);
    const wrongType = await t.client.request(SignUpDocument, {
      input: { ...input(), password: 12345678 } as never,
    });
    expect(codeOf(wrongType)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(wrongType)).toEqual([
      { path: "password", message: "String cannot represent a non string value: 12345678" },
    ]);
  });
});
