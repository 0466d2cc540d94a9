// 429 answers carry a Retry-After header equal to the error's extensions.retryAfter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignUpDocument } from "../../schema/generated/graphql.ts";
import { retryAfterOf } from "../../src/http/retry-after.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { codeOf } from "../helpers/client.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    configure: (config) => {
      config.auth.signUpsPerIpPerHour = 1;
    },
  });
});
afterAll(() => t.close());

const signUp = (email: string) =>
  t.client.request(SignUpDocument, {
    input: { email, password: "long-enough-pw", firstName: "Rate", lastName: "Limit" },
  });

describe("Retry-After", () => {
  it("is set on a RATE_LIMITED answer, equal to extensions.retryAfter", async () => {
    const first = await signUp(`first-${Date.now()}@example.test`);
    expect(first.errors).toBeUndefined();
    expect(first.headers.get("retry-after")).toBeNull();

    const limited = await signUp(`second-${Date.now()}@example.test`);
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe("RATE_LIMITED");
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited.headers.get("retry-after")).toBe(String(retryAfter));
  });

  it("takes the longest of several errors and ignores errors without one", () => {
    expect(retryAfterOf({ data: {} })).toBeUndefined();
    expect(retryAfterOf({ errors: [{ extensions: { code: "NOT_FOUND" } }] })).toBeUndefined();
    expect(
      retryAfterOf({
        errors: [
          { extensions: { retryAfter: 30 } },
          { extensions: { code: "X" } },
          { extensions: { retryAfter: 899.2 } },
        ],
      }),
    ).toBe(900);
  });
});
