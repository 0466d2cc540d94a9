// Failing auth flows, logged at debug level, leave no password, e-mail address or token in
// any log line, and no e-mail address or client IP in the store's keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LogInDocument,
  LogOutDocument,
  MeDocument,
  RefreshSessionDocument,
  SignUpDocument,
} from "../../../schema/generated/graphql.ts";
import { createLogger } from "../../../src/infra/logger.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";

const lines: string[] = [];
const logger = createLogger("debug", { write: (line: string) => void lines.push(line) });

let t: TestApp;
let offline: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logger, configure: (config) => (config.auth.loginFailuresPerAccount = 2) });
  // PostgreSQL unreachable: nothing listens on port 1.
  offline = await startTestApp({ logger, databaseUrl: "postgresql://postgres@127.0.0.1:1/roost_offline" });
});
afterAll(async () => {
  await offline.close();
  await t.close();
});

const email = "Leaky.Person@Example.test";
const password = "LeakyPassw0rd!";
const otherPassword = "An0therSecret!";

/** Log lines holding any of these values, in any case. */
const linesHolding = (secrets: readonly string[]) =>
  lines.filter((line) => secrets.some((secret) => line.toLowerCase().includes(secret.toLowerCase())));

describe("logs and store keys after failing auth flows", () => {
  it("hold none of the passwords, e-mail addresses and tokens involved", async () => {
    // A bad character inside the document's own string literal: a syntax error around it.
    const lineBreak = `mutation { signUp(input: { email: "${email}", password: "${password}
      ", firstName: "Leaky", lastName: "Person" }) { accessToken } }`;
    expect(codeOf(await t.client.request(lineBreak))).toBe("BAD_USER_INPUT");
    const badEscape = `mutation { logIn(input: { email: "${email}", password: "${password}\\q" }) { accessToken } }`;
    expect(codeOf(await t.client.request(badEscape))).toBe("BAD_USER_INPUT");

    // Through variables: a sign-up, a taken address, a too-short and a wrong password.
    const signedUp = (
      await t.client.ok(SignUpDocument, {
        input: { email, password, firstName: "Leaky", lastName: "Person" },
      })
    ).signUp;
    const taken = await t.client.request(SignUpDocument, {
      input: { email, password: otherPassword, firstName: "Leaky", lastName: "Person" },
    });
    expect(codeOf(taken)).toBe("CONFLICT");
    const short = await t.client.request(SignUpDocument, {
      input: { email: "short.pw@example.test", password: "Leak7", firstName: "A", lastName: "B" },
    });
    expect(codeOf(short)).toBe("BAD_USER_INPUT");
    const attempts = [];
    for (let i = 0; i < 3; i++) {
      attempts.push(await t.client.request(LogInDocument, { input: { email, password: otherPassword } }));
    }
    expect(attempts.map(codeOf)).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]);

    // A refresh token used twice (theft: the session is revoked), then its dead access token.
    const rotated = await t.client.ok(RefreshSessionDocument, {
      input: { refreshToken: signedUp.refreshToken },
    });
    const reuse = await t.client.request(RefreshSessionDocument, {
      input: { refreshToken: signedUp.refreshToken },
    });
    expect(codeOf(reuse)).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.client.as(rotated.refreshSession.accessToken).request(MeDocument))).toBe(
      "UNAUTHENTICATED",
    );
    const logOut = await t.client.request(LogOutDocument, { input: { refreshToken: "not-a-token-Leaky" } });
    expect(codeOf(logOut)).toBe("UNAUTHENTICATED");

    // PostgreSQL down: the log-in cannot even look the account up.
    const down = await offline.client.request(LogInDocument, { input: { email, password } });
    expect(codeOf(down)).toBe("SERVICE_UNAVAILABLE");

    const secrets = [
      password,
      otherPassword,
      "Leak7",
      email,
      "short.pw@example.test",
      signedUp.accessToken,
      signedUp.refreshToken,
      rotated.refreshSession.accessToken,
      rotated.refreshSession.refreshToken,
      // A token's signature alone is enough to recognise it.
      signedUp.accessToken.split(".")[2] ?? "",
    ];
    expect(linesHolding(secrets)).toEqual([]);

    // The failures were logged (so the search above looked at real lines).
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; level: number; status?: number });
    expect(logged.filter((line) => line.msg === "request" && line.status === 400).length).toBeGreaterThan(1);
    expect(logged.some((line) => line.msg === "refresh token reuse: session revoked")).toBe(true);
    expect(logged.some((line) => line.msg === "request" && line.status === 503)).toBe(true);

    for (const app of [t, offline]) {
      const prefix = app.app.config.redisKeyPrefix;
      const keys = (await app.app.redis?.keys(`${prefix}*`)) ?? [];
      if (app === t && app.app.redis) expect(keys.some((key) => key.includes(":rl:login"))).toBe(true);
      expect(keys.filter((key) => /@|example\.test|127\.0\.0\.1/i.test(key))).toEqual([]);
    }
  });
});
