import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LogOutDocument,
  MeDocument,
  RefreshSessionDocument,
  UserByIdDocument,
} from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";

const clock = new ManualClock(new Date("2027-01-10T12:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

const refresh = (refreshToken: string) =>
  t.client.request(RefreshSessionDocument, { input: { refreshToken } });

describe("refreshSession", () => {
  it("rotates: a new token pair, and the old refresh token is spent", async () => {
    const user = await factories(t).user().create();
    const first = await refresh(user.refreshToken);
    const rotated = first.data?.refreshSession;
    expect(rotated?.refreshToken).toBeDefined();
    expect(rotated?.refreshToken).not.toBe(user.refreshToken);
    const me = await t.client.as(rotated?.accessToken ?? "").ok(MeDocument);
    expect(me.me?.id).toBe(user.globalId);
  });

  it("treats reuse of a spent token as theft and revokes the whole family", async () => {
    const user = await factories(t).user().create();
    const next = (await refresh(user.refreshToken)).data?.refreshSession;
    if (!next) throw new Error("first refresh failed");

    const reuse = await refresh(user.refreshToken);
    expect(codeOf(reuse)).toBe("UNAUTHENTICATED");
    // The legitimate successor dies with the family, and so do its access tokens.
    expect(codeOf(await refresh(next.refreshToken))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.client.as(next.accessToken).request(MeDocument))).toBe("UNAUTHENTICATED");
    const session = await t.app.db.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(session.revokeReason).toBe("refresh-token-reuse");
  });

  it("lets exactly one of two concurrent refreshes with the same token win", async () => {
    const user = await factories(t).user().create();
    const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    const winners = results.filter((result) => result.data?.refreshSession);
    expect(winners).toHaveLength(1);
    expect(results.map(codeOf).filter(Boolean)).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses an unknown token and an expired one", async () => {
    expect(codeOf(await refresh("not-a-real-token"))).toBe("UNAUTHENTICATED");
    const user = await factories(t).user().create();
    clock.advance(31 * 24 * 3600 * 1000);
    try {
      const expired = await refresh(user.refreshToken);
      expect(codeOf(expired)).toBe("UNAUTHENTICATED");
      expect(expired.errors?.[0]?.message).toMatch(/expired/);
    } finally {
      clock.advance(-31 * 24 * 3600 * 1000);
    }
  });
});

describe("access tokens", () => {
  it("expire after 15 minutes", async () => {
    const user = await factories(t).user().create();
    clock.advance(15 * 60 * 1000 + 1000);
    try {
      const result = await user.client.request(MeDocument);
      expect(codeOf(result)).toBe("UNAUTHENTICATED");
      expect(result.errors?.[0]?.message).toBe("Access token expired");
    } finally {
      clock.advance(-(15 * 60 * 1000 + 1000));
    }
  });

  it("are refused when tampered with or malformed", async () => {
    const user = await factories(t).user().create();
    const [header, payload, signature] = user.accessToken.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: user.id, sid: "x", role: "ADMIN" })).toString(
      "base64url",
    );
    expect(codeOf(await t.client.as(`${header}.${forged}.${signature}`).request(MeDocument))).toBe(
      "UNAUTHENTICATED",
    );
    expect(codeOf(await t.client.as(`${header}.${payload}`).request(MeDocument))).toBe("UNAUTHENTICATED");
    const noScheme = await t.client.withHeaders({ authorization: user.accessToken }).request(MeDocument);
    expect(codeOf(noScheme)).toBe("UNAUTHENTICATED");
  });
});

describe("access tokens signed with the real key", () => {
  /** A token as an attacker holding the key (or a bug in our signing) would make it. */
  const sign = async (claims: { sub: string; sid: string }, times: { iat?: number; exp?: number }) => {
    let jwt = new SignJWT({ sid: claims.sid, role: "GUEST" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuer("roost")
      .setAudience("roost-api");
    if (times.iat !== undefined) jwt = jwt.setIssuedAt(times.iat);
    if (times.exp !== undefined) jwt = jwt.setExpirationTime(times.exp);
    return jwt.sign(new TextEncoder().encode(t.app.config.jwtSecret));
  };
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const sessionOf = async (userId: string) =>
    (await t.app.db.session.findFirstOrThrow({ where: { userId }, select: { id: true } })).id;

  it("are accepted when shaped as we issue them (so the refusals below are about their claims)", async () => {
    const user = await factories(t).user().create();
    const token = await sign(
      { sub: user.id, sid: await sessionOf(user.id) },
      { iat: nowSeconds(), exp: nowSeconds() + 60 },
    );
    expect((await t.client.as(token).ok(MeDocument)).me?.id).toBe(user.globalId);
  });

  it.each([
    ["without exp", { iat: 0, exp: undefined }],
    ["without iat", { iat: undefined, exp: 60 }],
    ["living longer than access tokens do", { iat: 0, exp: 24 * 3600 }],
    ["issued in the future", { iat: 3600, exp: 3600 + 60 }],
  ])("are refused %s", async (_case, offsets) => {
    const user = await factories(t).user().create();
    const at = (offset: number | undefined) => (offset === undefined ? undefined : nowSeconds() + offset);
    const token = await sign(
      { sub: user.id, sid: await sessionOf(user.id) },
      { iat: at(offsets.iat), exp: at(offsets.exp) },
    );
    const result = await t.client.as(token).request(MeDocument);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
    expect(result.errors?.[0]?.message).toBe("Invalid access token");
  });

  it("are refused when the session id is not one", async () => {
    const user = await factories(t).user().create();
    const token = await sign(
      { sub: user.id, sid: "not-a-session" },
      { iat: nowSeconds(), exp: nowSeconds() + 60 },
    );
    const result = await t.client.as(token).request(MeDocument);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });

  it("are refused when the session belongs to another user than the subject", async () => {
    const victim = await factories(t).user().create();
    const attacker = await factories(t).user().create();
    const token = await sign(
      { sub: victim.id, sid: await sessionOf(attacker.id) },
      { iat: nowSeconds(), exp: nowSeconds() + 60 },
    );
    const result = await t.client.as(token).request(MeDocument);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });
});

describe("the caller's role", () => {
  it("is read from the database: a demoted admin's token loses admin power at once", async () => {
    const admin = await factories(t).user().admin().create();
    const other = await factories(t).user().create();
    const asAdmin = await admin.client.ok(UserByIdDocument, { id: other.globalId });
    expect(asAdmin.node).toMatchObject({ email: other.email });

    await t.app.db.user.update({ where: { id: admin.id }, data: { role: "GUEST" } });
    const demoted = await admin.client.ok(UserByIdDocument, { id: other.globalId });
    expect(demoted.node).toMatchObject({ email: null });
  });
});

describe("logOut", () => {
  it("ends the current session: its access and refresh tokens stop working", async () => {
    const user = await factories(t).user().create();
    const result = await user.client.ok(LogOutDocument, {});
    expect(result.logOut.sessionsEnded).toBe(1);
    expect(codeOf(await user.client.request(MeDocument))).toBe("UNAUTHENTICATED");
    expect(codeOf(await refresh(user.refreshToken))).toBe("UNAUTHENTICATED");
  });

  it("stays ended when the store loses its revocation mark (PostgreSQL decides)", async () => {
    const user = await factories(t).user().create();
    expect((await user.client.ok(MeDocument)).me?.id).toBe(user.globalId);
    await user.client.ok(LogOutDocument, {});
    const session = await t.app.db.session.findFirstOrThrow({ where: { userId: user.id } });
    await t.app.kv.del(`session-revoked:${session.id}`);
    expect(codeOf(await user.client.request(MeDocument))).toBe("UNAUTHENTICATED");
  });

  it("ends a session by its refresh token without an access token", async () => {
    const user = await factories(t).user().create();
    const result = await t.client.ok(LogOutDocument, { input: { refreshToken: user.refreshToken } });
    expect(result.logOut.sessionsEnded).toBe(1);
    expect(codeOf(await user.client.request(MeDocument))).toBe("UNAUTHENTICATED");
  });

  it("ends every session with allSessions", async () => {
    const user = await factories(t).user().create();
    const second = (await refresh(user.refreshToken)).data?.refreshSession;
    const other = await factories(t).user().create();
    const result = await user.client.ok(LogOutDocument, { input: { allSessions: true } });
    expect(result.logOut.sessionsEnded).toBe(1);
    expect(codeOf(await t.client.as(second?.accessToken ?? "").request(MeDocument))).toBe("UNAUTHENTICATED");
    // Someone else's session is untouched.
    expect((await other.client.ok(MeDocument)).me?.id).toBe(other.globalId);
  });

  it("answers UNAUTHENTICATED with neither token, or with an unknown refresh token", async () => {
    expect(codeOf(await t.client.request(LogOutDocument, {}))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.client.request(LogOutDocument, { input: { allSessions: true } }))).toBe(
      "UNAUTHENTICATED",
    );
    expect(codeOf(await t.client.request(LogOutDocument, { input: { refreshToken: "nope" } }))).toBe(
      "UNAUTHENTICATED",
    );
  });
});
