// suspendUser and reinstateUser over real HTTP: the user is signed out at once (in every process),
// cannot log in or refresh, their listings are suspended with them and come back as each was,
// while a listing an admin suspended on its own stays suspended; audit rows and notices.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ListingDocument,
  LogInDocument,
  MeDocument,
  RefreshSessionDocument,
  ReinstateListingDocument,
  ReinstateUserDocument,
  SuspendListingDocument,
  SuspendUserDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, staySequence } from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { auditRowsOf, moderationFixture, reason } from "./fixtures.ts";

let t: TestApp;
/** A second API process of the same deployment: same database, same Redis key space. */
let twin: TestApp;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const nextDates = staySequence(day(30), 2);

beforeAll(async () => {
  const redisKeyPrefix = `roost-test:${randomBytes(6).toString("hex")}:`;
  t = await startTestApp({ redisKeyPrefix });
  const jwtSecret = t.app.config.jwtSecret;
  twin = await startTestApp({
    redisKeyPrefix,
    databaseUrl: t.database.url,
    configure: (config) => Object.assign(config, { jwtSecret }),
  });
});
afterAll(async () => {
  await twin?.close();
  await t?.close();
});

const suspendUser = (admin: TestUser, userId: string) =>
  admin.client.request(SuspendUserDocument, { input: { userId, reason } });
const reinstateUser = (admin: TestUser, userId: string) =>
  admin.client.request(ReinstateUserDocument, { input: { userId, reason: "Cleared after review." } });
const logIn = (user: TestUser, password = user.password) =>
  t.client.request(LogInDocument, { input: { email: user.email, password } });
const statusesOf = async (ids: string[]) =>
  (await t.app.db.listing.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } })).map((l) => [
    l.id,
    l.status,
  ]);

describe("suspendUser", () => {
  it("ends every session at once: access tokens fail on the next request in every process, refresh and log-in are refused", async () => {
    const f = await moderationFixture(t);
    // A second session, and the first's token seen by the other process (which then remembers it live).
    const second = (await logIn(f.host)).data?.logIn;
    expect(second).toBeDefined();
    const onTwin = twin.client.as(f.host.accessToken);
    expect((await onTwin.ok(MeDocument)).me?.id).toBe(f.host.globalId);
    expect((await f.host.client.ok(MeDocument)).me?.id).toBe(f.host.globalId);

    const answer = await suspendUser(f.admin, f.host.globalId);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.suspendUser.user).toMatchObject({
      id: f.host.globalId,
      suspendedAt: expect.any(String),
    });

    expect(codeOf(await f.host.client.request(MeDocument))).toBe("UNAUTHENTICATED");
    expect(codeOf(await onTwin.request(MeDocument))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.client.as(second?.accessToken ?? "").request(MeDocument))).toBe("UNAUTHENTICATED");
    for (const refreshToken of [f.host.refreshToken, second?.refreshToken ?? ""]) {
      const refreshed = await t.client.request(RefreshSessionDocument, { input: { refreshToken } });
      expect(codeOf(refreshed)).toBe("FORBIDDEN");
    }
    expect(
      await t.app.db.session.count({ where: { userId: f.host.id, revokedAt: null } }),
      "every session revoked in the database",
    ).toBe(0);

    const refused = await logIn(f.host);
    expect(codeOf(refused)).toBe("FORBIDDEN");
    expect(refused.errors?.[0]?.message).toMatch(/suspended/);
    // A wrong password still says only that: the suspension is told to whoever knows the password.
    expect(codeOf(await logIn(f.host, "not the password at all"))).toBe("UNAUTHENTICATED");
  });

  it("suspends their listings with them, and reinstating returns each to its own status; one suspended on its own stays", async () => {
    const f = await moderationFixture(t, { instantBook: true });
    const make = factories(t);
    const unlisted = await make.listing(f.host).with({ status: "UNLISTED" }).create();
    const draft = await make.listing(f.host).create();
    const alone = await make.listing(f.host).listed().create();
    const aloneId = encodeGlobalId("Listing", alone.id);
    const ids = [f.listing.id, unlisted.id, draft.id, alone.id].sort();
    const booked = await book(f.guest, bookingInput(f, nextDates()));
    expect(
      (await f.admin.client.request(SuspendListingDocument, { input: { listingId: aloneId, reason } }))
        .errors,
    ).toBeUndefined();

    expect((await suspendUser(f.admin, f.host.globalId)).errors).toBeUndefined();
    expect(new Set((await statusesOf(ids)).map(([, status]) => status))).toEqual(new Set(["SUSPENDED"]));
    expect(codeOf(await t.client.request(ListingDocument, { id: f.listingId }))).toBe("NOT_FOUND");
    // Lifting one listing's own suspension is not lifting the host's.
    const early = await f.admin.client.request(ReinstateListingDocument, {
      input: { listingId: f.listingId, reason: "too early" },
    });
    expect(codeOf(early)).toBe("INVALID_STATE");
    expect(early.errors?.[0]?.message).toMatch(/host/);
    // The guest of the upcoming booking is told; the host hears of the account, once.
    expect(
      await t.app.db.notification.findMany({
        where: { userId: f.guest.id, type: "listing.suspended" },
        select: { data: true },
      }),
    ).toEqual([{ data: { listingId: f.listing.id, bookingId: expect.any(String) } }]);
    expect(booked.status).toBe("CONFIRMED");
    expect(
      await t.app.db.notification.count({ where: { userId: f.host.id, type: "account.suspended" } }),
    ).toBe(1);

    const back = await reinstateUser(f.admin, f.host.globalId);
    expect(back.errors).toBeUndefined();
    expect(back.data?.reinstateUser.user.suspendedAt).toBeNull();
    expect(Object.fromEntries(await statusesOf(ids))).toEqual({
      [f.listing.id]: "LISTED",
      [unlisted.id]: "UNLISTED",
      [draft.id]: "DRAFT",
      [alone.id]: "SUSPENDED",
    });
    expect((await t.client.ok(ListingDocument, { id: f.listingId })).listing?.status).toBe("LISTED");
    const relisted = await f.admin.client.ok(ReinstateListingDocument, {
      input: { listingId: aloneId, reason: "separately cleared" },
    });
    expect(relisted.reinstateListing.listing.status).toBe("LISTED");

    // Signs in again, with a new session that works.
    const again = await logIn(f.host);
    expect(again.errors).toBeUndefined();
    expect((await t.client.as(again.data?.logIn.accessToken ?? "").ok(MeDocument)).me?.id).toBe(
      f.host.globalId,
    );
  });

  it("records the user's suspension and each listing's, in audit rows that say what changed", async () => {
    const f = await moderationFixture(t);
    await logIn(f.host);
    await suspendUser(f.admin, f.host.globalId);
    const [userRow, ...others] = await auditRowsOf(t, f.host.id);
    expect(others).toEqual([]);
    expect(userRow).toMatchObject({
      actorId: f.admin.id,
      action: "user.suspended",
      entityType: "User",
      requestId: expect.any(String),
      data: {
        reason,
        before: { suspendedAt: null },
        after: { suspendedAt: expect.any(String) },
        sessionsRevoked: 2,
        listings: [{ id: f.listing.id, before: "LISTED", after: "SUSPENDED" }],
      },
    });
    const [listingRow] = await auditRowsOf(t, f.listing.id);
    expect(listingRow).toMatchObject({
      action: "listing.suspended_with_host",
      data: {
        before: { status: "LISTED" },
        after: {
          status: "SUSPENDED",
          suspendedFrom: "LISTED",
          suspendedWithHost: true,
          suspendedDirectly: false,
        },
        cause: { action: "user.suspended", userId: f.host.id },
      },
    });

    await reinstateUser(f.admin, f.host.globalId);
    expect((await auditRowsOf(t, f.host.id)).map((row) => row.action)).toEqual([
      "user.suspended",
      "user.reinstated",
    ]);
    expect((await auditRowsOf(t, f.listing.id)).map((row) => row.action)).toEqual([
      "listing.suspended_with_host",
      "listing.reinstated_with_host",
    ]);
  });

  it("refuses an admin suspending themselves, a second suspension, reinstating one not suspended, and unknown ids", async () => {
    const f = await moderationFixture(t);
    const self = await suspendUser(f.admin, f.admin.globalId);
    expect(codeOf(self)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(self).map((field) => field.path)).toEqual(["userId"]);
    expect((await f.admin.client.request(MeDocument)).data?.me?.id).toBe(f.admin.globalId);

    expect(codeOf(await reinstateUser(f.admin, f.guest.globalId))).toBe("INVALID_STATE");
    expect((await suspendUser(f.admin, f.guest.globalId)).errors).toBeUndefined();
    expect(codeOf(await suspendUser(f.admin, f.guest.globalId))).toBe("INVALID_STATE");
    expect(codeOf(await suspendUser(f.admin, f.listingId))).toBe("NOT_FOUND");
    expect(codeOf(await suspendUser(f.admin, "not-an-id"))).toBe("NOT_FOUND");
    expect((await auditRowsOf(t, f.guest.id)).map((row) => row.action)).toEqual(["user.suspended"]);
  });

  it("shows suspendedAt to admins only", async () => {
    const f = await moderationFixture(t);
    await suspendUser(f.admin, f.guest.globalId);
    const query = `query($id: ID!) { node(id: $id) { ... on User { suspendedAt } } }`;
    const read = async (client: TestApp["client"]) =>
      (
        await client.ok<{ node: { suspendedAt: string | null } }, { id: string }>(query, {
          id: f.guest.globalId,
        })
      ).node.suspendedAt;
    expect(await read(f.admin.client)).toEqual(expect.any(String));
    expect(await read(f.host.client)).toBeNull();
    expect(await read(t.client)).toBeNull();
  });
});
