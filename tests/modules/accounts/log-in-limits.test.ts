// The account lock and log-in limits under concurrency, with the shared store down, and
// the lock's reported remaining time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogInDocument } from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, type GraphQLResponse } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const logIn = (app: TestApp, email: string, password: string) =>
  app.client.request(LogInDocument, { input: { email, password } });

const retryAfterOf = (result: GraphQLResponse<unknown>) => result.errors?.[0]?.extensions?.retryAfter;

const tally = (results: Array<GraphQLResponse<unknown>>) => {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const code = codeOf(result) ?? "OK";
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
};

describe("the account lock", () => {
  it("checks at most the limit's worth of 20 parallel wrong passwords; the rest are RATE_LIMITED", async () => {
    const limit = t.app.config.auth.loginFailuresPerAccount;
    expect(limit).toBe(5);
    const user = await factories(t).user().create();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => logIn(t, user.email, `wrong-password-${i}`)),
    );
    expect(tally(results)).toEqual({ UNAUTHENTICATED: limit, RATE_LIMITED: 20 - limit });
    const limited = results.find((result) => codeOf(result) === "RATE_LIMITED");
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get("retry-after")).toBe(String(limited && retryAfterOf(limited)));
  });

  it("reports the window's real remaining time, as the shared store holds it", async ({ skip }) => {
    if (!t.app.redis) skip("no REDIS_URL in this run");
    const user = await factories(t).user().create();
    for (let i = 0; i < 5; i++)
      expect(codeOf(await logIn(t, user.email, "wrong-password"))).toBe("UNAUTHENTICATED");
    const first = await logIn(t, user.email, user.password);
    expect(codeOf(first)).toBe("RATE_LIMITED");
    expect(retryAfterOf(first)).toBeGreaterThan(890);

    // As if ten minutes had passed: the store's window has 300 s left.
    const key = t.app.rateLimiter.keyOf({ name: "login:account" }, user.email);
    expect(await t.app.redis?.ttl(key)).toBeGreaterThan(890);
    await t.app.redis?.expire(key, 300);
    const later = await logIn(t, user.email, user.password);
    expect(codeOf(later)).toBe("RATE_LIMITED");
    expect(retryAfterOf(later)).toBeGreaterThan(290);
    expect(retryAfterOf(later)).toBeLessThanOrEqual(301);
  });
});

describe("while Redis is down", () => {
  let down: TestApp;
  let user: TestUser;
  const clock = new ManualClock(new Date("2027-05-01T10:00:00Z"));

  beforeAll(async () => {
    down = await startTestApp({ clock });
    user = await factories(down).user().create();
  });
  afterAll(() => down.close());

  it("still locks the account, counting in process, and reports the time left on the lock", async ({
    skip,
  }) => {
    if (!down.app.redis) skip("no REDIS_URL in this run: nothing to take down");
    down.app.redis?.disconnect();

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => logIn(down, user.email, `wrong-password-${i}`)),
    );
    expect(tally(results)).toEqual({ UNAUTHENTICATED: 5, RATE_LIMITED: 15 });

    const locked = await logIn(down, user.email, user.password);
    expect(codeOf(locked)).toBe("RATE_LIMITED");
    expect(retryAfterOf(locked)).toBe(900);

    clock.advance(10 * 60_000);
    const later = await logIn(down, user.email, user.password);
    expect(codeOf(later)).toBe("RATE_LIMITED");
    expect(retryAfterOf(later)).toBe(300);

    clock.advance(5 * 60_000 + 1_000);
    const after = await logIn(down, user.email, user.password);
    expect(codeOf(after)).toBeUndefined();
  });
});
