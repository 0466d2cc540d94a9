import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogOutDocument, MeDocument, RefreshSessionDocument } from "../../../schema/generated/graphql.ts";
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
