import type { Runner } from "graphile-worker";
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

/**
 * Follows a worker's jobs from its start (before any job exists), so it can tell when a
 * condition holds after some job and when nothing is left to run. Waits are bounded.
 */
function watchWorker(runner: Runner, timeoutMs = 15_000) {
  const running = new Set<string>();
  runner.events.on("job:start", ({ job }) => void running.add(job.id));
  runner.events.on("job:complete", ({ job }) => void running.delete(job.id));
  const waitFor = (event: "job:complete" | "worker:getJob:empty", done: () => Promise<boolean>) =>
    new Promise<void>((resolve, reject) => {
      const check = () => done().then((ok) => ok && finish(), finish);
      const timer = setTimeout(
        () => finish(new Error(`worker: no ${event} settled it in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        runner.events.off(event, check);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve();
      };
      runner.events.on(event, check);
      void check();
    });
  return {
    /** Resolves when the condition holds, re-checked after every job. */
    until: (condition: () => Promise<boolean>) => waitFor("job:complete", condition),
    /** Resolves when a poll finds no runnable job while none is running. */
    drained: () => {
      let immediate = true; // the first check is not a poll
      return waitFor("worker:getJob:empty", async () => {
        const settled = !immediate && running.size === 0;
        immediate = false;
        return settled;
      });
    },
  };
}

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

  it("commits the user and the welcome e-mail together: a failed sign-up leaves neither", async () => {
    // Fails the transaction at commit, after the user row and the e-mail's job were written.
    await t.app.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.email LIKE '%+fail-commit@%' THEN RAISE EXCEPTION 'sign-up refused by test trigger'; END IF;
        RETURN NEW;
      END $$`);
    await t.app.db.$executeRawUnsafe(`
      CREATE CONSTRAINT TRIGGER test_fail_commit AFTER INSERT ON users
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_commit()`);
    const failed = input({ email: `new-${Math.random().toString(36).slice(2)}+fail-commit@example.test` });
    const committed = input();

    const worker = watchWorker(await t.startWorker());
    const refused = await t.client.request(SignUpDocument, { input: failed });
    expect(codeOf(refused)).toBe("INTERNAL_SERVER_ERROR");
    expect(await t.app.db.user.count({ where: { email: failed.email } })).toBe(0);
    await t.client.ok(SignUpDocument, { input: committed });

    // The committed sign-up's e-mail is delivered; by then the failed one's would have run too.
    const delivered = (address: string) => t.app.db.emailOutbox.count({ where: { toAddress: address } });
    await worker.until(async () => (await delivered(committed.email.toLowerCase())) > 0);
    await worker.drained();
    const sent = await t.app.db.emailOutbox.findMany({
      where: { toAddress: { in: [failed.email, committed.email.toLowerCase()] } },
    });
    expect(sent.map((email) => [email.toAddress, email.template, email.subject])).toEqual([
      [committed.email.toLowerCase(), "welcome", "Welcome to Roost, Ana"],
    ]);
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
    ["firstName", { firstName: "\u3164" }, "must not be empty"],
    ["firstName", { firstName: "Ana\u202Egro" }, "must not contain bidirectional control characters"],
    ["lastName", { lastName: "Silva\u0008" }, "must not contain control characters or line breaks"],
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
