// Rotating JWT_SECRET with JWT_SECRET_PREVIOUS (README "Rotating JWT_SECRET"): three API
// instances on one database and Redis stand for the deployment before, during and after the
// rotation. During it, access tokens signed with the old secret still work and new ones are
// signed with the new secret; after it, old tokens are refused and their refresh tokens (opaque,
// never signed) still give a new pair, so nobody is logged out.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogOutDocument, MeDocument, RefreshSessionDocument } from "../../../schema/generated/graphql.ts";
import { loadConfig } from "../../../src/config.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";

const oldSecret = randomBytes(32).toString("hex");
const newSecret = randomBytes(32).toString("hex");
let before: TestApp;
let during: TestApp;
let after: TestApp;

beforeAll(async () => {
  const redisKeyPrefix = `roost-test:${randomBytes(6).toString("hex")}:`;
  before = await startTestApp({
    redisKeyPrefix,
    configure: (config) => Object.assign(config, { jwtSecret: oldSecret }),
  });
  const twin = (jwtSecret: string, jwtPreviousSecret?: string) =>
    startTestApp({
      redisKeyPrefix,
      databaseUrl: before.database.url,
      configure: (config) => Object.assign(config, { jwtSecret, jwtPreviousSecret }),
    });
  during = await twin(newSecret, oldSecret);
  after = await twin(newSecret);
});
afterAll(async () => {
  await after?.close();
  await during?.close();
  await before?.close();
});

const me = (t: TestApp, accessToken: string) => t.client.as(accessToken).request(MeDocument);
const refresh = (t: TestApp, refreshToken: string) =>
  t.client.request(RefreshSessionDocument, { input: { refreshToken } });
const messageOf = (result: { errors?: ReadonlyArray<{ message: string }> }) => result.errors?.[0]?.message;

describe("rotating JWT_SECRET", () => {
  it("accepts the old secret's tokens during the rotation, signs with the new one, and logs no one out", async () => {
    const user = await factories(before).user().create();
    const oldToken = user.accessToken;
    expect((await me(before, oldToken)).data?.me?.id).toBe(user.globalId);

    // During: the old token is good on the rotated instances...
    expect((await me(during, oldToken)).data?.me?.id).toBe(user.globalId);
    // ...and a refresh there hands out a token of the new secret, which the old instances refuse.
    const pair = (await refresh(during, user.refreshToken)).data?.refreshSession;
    if (!pair) throw new Error("refresh during the rotation failed");
    expect((await me(during, pair.accessToken)).data?.me?.id).toBe(user.globalId);
    expect((await me(after, pair.accessToken)).data?.me?.id).toBe(user.globalId);
    const onOld = await me(before, pair.accessToken);
    expect(codeOf(onOld)).toBe("UNAUTHENTICATED");

    // After: the old secret's token is refused as invalid, and the refresh token still works.
    const refused = await me(after, oldToken);
    expect(codeOf(refused)).toBe("UNAUTHENTICATED");
    expect(messageOf(refused)).toBe("Invalid access token");
    const next = (await refresh(after, pair.refreshToken)).data?.refreshSession;
    if (!next) throw new Error("refresh after the rotation failed");
    expect((await me(after, next.accessToken)).data?.me?.id).toBe(user.globalId);
  });

  it("accepts no third secret, and still refuses a revoked session's token signed with the old one", async () => {
    const stranger = await startTestApp({
      databaseUrl: before.database.url,
      configure: (config) => Object.assign(config, { jwtSecret: randomBytes(32).toString("hex") }),
    });
    try {
      const user = await factories(stranger).user().create();
      // Signed with neither secret: refused where both are accepted.
      expect(codeOf(await me(during, user.accessToken))).toBe("UNAUTHENTICATED");
      expect((await me(stranger, user.accessToken)).data?.me?.id).toBe(user.globalId);
    } finally {
      await stranger.close();
    }
    // The previous secret verifies a signature; the session check still applies.
    const user = await factories(before).user().create();
    await user.client.ok(LogOutDocument, {});
    const revoked = await me(during, user.accessToken);
    expect(codeOf(revoked)).toBe("UNAUTHENTICATED");
    expect(messageOf(revoked)).toBe("Session has been revoked");
  });
});

describe("JWT_SECRET_PREVIOUS", () => {
  it("is read from the environment, 32 characters at least", () => {
    const base = { NODE_ENV: "test", DATABASE_URL: "postgresql://x@127.0.0.1/x", JWT_SECRET: newSecret };
    expect(loadConfig({ ...base, JWT_SECRET_PREVIOUS: oldSecret }).jwtPreviousSecret).toBe(oldSecret);
    expect(loadConfig(base).jwtPreviousSecret).toBeUndefined();
    expect(() => loadConfig({ ...base, JWT_SECRET_PREVIOUS: "short" })).toThrow(
      /JWT_SECRET_PREVIOUS: must be at least 32 characters/,
    );
  });
});
