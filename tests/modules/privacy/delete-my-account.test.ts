// deleteMyAccount end to end: refused with a wrong password, with stays to honour and with payouts
// to receive; then, for a user with data of every kind, nothing personal of theirs is left in any
// column of any table (searched generically), their sessions end at once, the address can sign up
// again, and the other parties' bookings, money, conversations and reviews still read.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelBookingDocument,
  ConversationDocument,
  DeleteMyAccountDocument,
  ExportMyDataDocument,
  HostReservationsDocument,
  ListingDocument,
  ListingReviewsDocument,
  LogInDocument,
  MeDocument,
  MyTripsDocument,
  RefreshSessionDocument,
  SignUpDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { sqlState } from "../../../src/infra/db-errors.ts";
import { unitOfWork } from "../../../src/infra/unit-of-work.ts";
import { notify } from "../../../src/modules/notifications/service.ts";
import { payOut } from "../../../src/modules/payments/service.ts";
import { DELETED_USER_NAME, ERASED_MESSAGE_BODY } from "../../../src/modules/privacy/erasure.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  book,
  bookingInput,
  expectBooksBalanced,
  rawId,
  requestBooking,
  stayFixture,
} from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { findInDatabase } from "../../helpers/database-scan.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { dayFromToday, type PersonWithData, personWithData } from "../../helpers/privacy.ts";

let t: TestApp;
let runner: Runner;
let outboxDir: string;

beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), "roost-deletion-mail-"));
  t = await startTestApp({
    configure: (config) => {
      config.mail.smtpUrl = undefined;
      config.mail.outboxDir = outboxDir;
    },
  });
  runner = await t.startWorker();
});
afterAll(async () => {
  await t?.close();
  await rm(outboxDir, { recursive: true, force: true });
});

/**
 * Resolves once no job is due (none waiting to run now, none running), checked after each job and
 * each empty poll; rejects if a job failed. Jobs scheduled for later (payouts, completions) wait.
 */
function queueSettled(timeoutMs = 20_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = async () => {
      const [due] = await t.app.db.$queryRaw<Array<{ due: number; failed: string | null }>>`
        SELECT count(*) FILTER (WHERE run_at <= now())::int AS due, max(last_error) AS failed
        FROM graphile_worker.jobs`;
      if (due?.failed) finish(new Error(`a job failed: ${due.failed}`));
      else if (due?.due === 0) finish();
    };
    const onEvent = () => void check().catch(finish);
    const timer = setTimeout(() => finish(new Error(`jobs still due after ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      runner.events.off("job:complete", onEvent);
      runner.events.off("worker:getJob:empty", onEvent);
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve();
    };
    runner.events.on("job:complete", onEvent);
    runner.events.on("worker:getJob:empty", onEvent);
    onEvent();
  });
}

const deleteAccount = (user: TestUser, password = user.password) =>
  user.client.request(DeleteMyAccountDocument, { input: { password } });

describe("deleteMyAccount refuses", () => {
  it("an anonymous caller", async () => {
    expect(
      codeOf(await t.client.request(DeleteMyAccountDocument, { input: { password: "whatever it is" } })),
    ).toBe("UNAUTHENTICATED");
  });

  it("a wrong password, and changes nothing", async () => {
    const user = await factories(t).user().create();
    const refused = await deleteAccount(user, "not my password at all");
    expect(codeOf(refused)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(refused)).toEqual([{ path: "password", message: "is incorrect" }]);
    expect(codeOf(await deleteAccount(user, "x".repeat(201)))).toBe("BAD_USER_INPUT");
    expect((await user.client.ok(MeDocument)).me?.email).toBe(user.email);
    const row = await t.app.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.deletedAt).toBeNull();
  });

  it("while the user has an upcoming stay as guest, or one at their listing as host", async () => {
    const stay = await stayFixture(t, { instantBook: false });
    const pending = await book(
      stay.guest,
      bookingInput(stay, { checkIn: dayFromToday(30), checkOut: dayFromToday(33) }),
    );
    expect(pending.status).toBe("PENDING");
    for (const party of [stay.guest, stay.host]) {
      const refused = await deleteAccount(party);
      expect(codeOf(refused)).toBe("INVALID_STATE");
      expect(refused.errors?.[0]?.message).toMatch(/upcoming or ongoing stay/);
    }
    // Once it is no longer live, the guest may go.
    await stay.guest.client.ok(CancelBookingDocument, {
      input: { bookingId: pending.id, idempotencyKey: randomUUID() },
    });
    expect(
      (await stay.guest.client.ok(DeleteMyAccountDocument, { input: { password: stay.guest.password } }))
        .deleteMyAccount.user,
    ).toMatchObject({ isDeleted: true, firstName: DELETED_USER_NAME, lastName: "" });
  });

  it("once, when asked twice at the same time", async () => {
    const user = await factories(t).user().create();
    const answers = await Promise.all([deleteAccount(user), deleteAccount(user)]);
    expect(answers.filter((answer) => answer.data?.deleteMyAccount)).toHaveLength(1);
    expect(answers.map(codeOf).filter(Boolean)).toEqual(["UNAUTHENTICATED"]);
    expect(await t.app.db.auditLog.count({ where: { actorId: user.id, action: "account.deleted" } })).toBe(1);
  });

  it("never leaves a deleted user with a live booking, when they book while deleting", async () => {
    for (let round = 0; round < 3; round++) {
      const stay = await stayFixture(t, { instantBook: true });
      const dates = { checkIn: dayFromToday(60 + round * 5), checkOut: dayFromToday(62 + round * 5) };
      const [booked, deleted] = await Promise.all([
        requestBooking(stay.guest, bookingInput(stay, dates)),
        deleteAccount(stay.guest),
      ]);
      const live = await t.app.db.booking.count({
        where: { guestId: stay.guest.id, status: { in: ["PENDING", "CONFIRMED"] } },
      });
      const user = await t.app.db.user.findUniqueOrThrow({ where: { id: stay.guest.id } });
      if (user.deletedAt) {
        expect(live).toBe(0);
        expect(booked.data?.requestBooking).toBeFalsy();
      } else {
        expect(codeOf(deleted)).toBe("INVALID_STATE");
        expect(live).toBe(1);
      }
    }
  });
});

describe("after deleteMyAccount, for a user with data of every kind", () => {
  let person: PersonWithData;
  let theirs: string[];
  let foundBefore: string[];
  let ledgerRows: number;

  beforeAll(async () => {
    person = await personWithData(t, { firstName: "Zebulon", lastName: "Quarrington" });
    const { user } = person;

    // The stay at their listing is confirmed: they cannot go yet.
    expect(codeOf(await deleteAccount(user))).toBe("INVALID_STATE");
    // It is over (as the completion job would mark it), but the host is not paid yet.
    const bookingId = rawId(person.bookingAsHostId);
    await t.app.db.booking.update({
      where: { id: bookingId },
      data: { status: "COMPLETED", completedAt: new Date() },
    });
    const refused = await deleteAccount(user);
    expect(codeOf(refused)).toBe("INVALID_STATE");
    expect(refused.errors?.[0]?.message).toMatch(/payout/);
    const payout = await t.app.db.payout.findUniqueOrThrow({ where: { bookingId } });
    expect(await payOut(t.app, payout.id)).toBe(true);

    // A public page showing their listing, cached; an export of their data, ready; all e-mail sent.
    expect(
      (await t.client.ok(ListingDocument, { id: encodeGlobalId("Listing", person.ownListing.id) })).listing,
    ).toBeTruthy();
    await user.client.ok(ExportMyDataDocument, {});
    await queueSettled();
    expect(await t.app.db.dataExport.count({ where: { userId: user.id, status: "READY" } })).toBe(1);

    theirs = [
      user.email,
      person.firstName,
      person.lastName,
      person.phone,
      person.phone.replace(/\s/g, ""),
      ...Object.values(person.theirs),
    ];
    // Every one of them is stored somewhere now, so the search below can see them.
    foundBefore = [...new Set((await findInDatabase(t.app.db, theirs)).map((finding) => finding.needle))];
    ledgerRows = await t.app.db.ledgerEntry.count();

    const deleted = await user.client.ok(DeleteMyAccountDocument, { input: { password: user.password } });
    expect(deleted.deleteMyAccount).toMatchObject({
      deletedAt: expect.any(String),
      user: { id: user.globalId, isDeleted: true, firstName: DELETED_USER_NAME, lastName: "" },
    });
    await queueSettled();
  });

  it("finds nothing personal of theirs in any column of any table", async () => {
    // The phone is stored as typed only, so its digits alone were never found.
    expect(foundBefore.sort()).toEqual(
      theirs.filter((needle) => needle !== person.phone.replace(/\s/g, "")).sort(),
    );
    expect(await findInDatabase(t.app.db, theirs)).toEqual([]);
  });

  it("keeps the reviews they wrote and what others wrote", async () => {
    const found = new Set((await findInDatabase(t.app.db, Object.values(person.kept))).map((f) => f.needle));
    expect([...found].sort()).toEqual(Object.values(person.kept).sort());
    const reviews = await t.client.ok(ListingReviewsDocument, {
      id: encodeGlobalId("Listing", person.hostListing.id),
    });
    const theirReview = reviews.listing?.reviews.edges.find(
      (edge) => edge.node.comment === person.kept.reviewOfListing,
    );
    expect(theirReview?.node.author).toEqual({ id: person.user.globalId, firstName: DELETED_USER_NAME });
  });

  it("ends their sessions at once: the old access and refresh tokens and the password fail", async () => {
    const { user } = person;
    expect(codeOf(await user.client.request(MeDocument))).toBe("UNAUTHENTICATED");
    expect(
      codeOf(await t.client.request(RefreshSessionDocument, { input: { refreshToken: user.refreshToken } })),
    ).toBe("UNAUTHENTICATED");
    expect(
      codeOf(
        await t.client.request(LogInDocument, { input: { email: user.email, password: user.password } }),
      ),
    ).toBe("UNAUTHENTICATED");
    expect(await t.app.db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(codeOf(await deleteAccount(user))).toBe("UNAUTHENTICATED");
  });

  it("unlists their listing and drops its cached public reads", async () => {
    const listing = await t.app.db.listing.findUniqueOrThrow({ where: { id: person.ownListing.id } });
    expect(listing.status).toBe("UNLISTED");
    expect(
      codeOf(await t.client.request(ListingDocument, { id: encodeGlobalId("Listing", listing.id) })),
    ).toBe("NOT_FOUND");
  });

  it("leaves the other parties' bookings, money and conversations readable", async () => {
    const trips = await person.guest.client.ok(MyTripsDocument, {});
    const stay = trips.myTrips.edges.find((edge) => edge.node.id === person.bookingAsHostId)?.node;
    expect(stay).toMatchObject({
      status: "COMPLETED",
      listing: { id: encodeGlobalId("Listing", person.ownListing.id), title: person.ownListing.title },
      host: { firstName: DELETED_USER_NAME },
      payment: { status: "CAPTURED" },
    });
    const reservations = await person.host.client.ok(HostReservationsDocument, {});
    const cancelled = reservations.hostReservations.edges.find(
      (edge) => edge.node.id === person.bookingAsGuestId,
    )?.node;
    expect(cancelled).toMatchObject({
      status: "CANCELLED",
      guest: { id: person.user.globalId, firstName: DELETED_USER_NAME },
      message: null,
    });
    expect(cancelled?.payment?.refunded.amount).toBeGreaterThan(0);

    const conversation = (await person.host.client.ok(ConversationDocument, { id: person.conversationId }))
      .conversation;
    const messages = conversation?.messages.edges.map((edge) => [edge.node.sender.firstName, edge.node.body]);
    expect(messages).toEqual(
      expect.arrayContaining([
        [DELETED_USER_NAME, ERASED_MESSAGE_BODY],
        ["Hester", person.kept.hostReply],
      ]),
    );
    expect(await t.app.db.ledgerEntry.count()).toBe(ledgerRows);
    await expectBooksBalanced(t);
  });

  it("writes one audit row, with counts and no personal data", async () => {
    const rows = await t.app.db.auditLog.findMany({
      where: { actorId: person.user.id, action: "account.deleted" },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entityType: "User", entityId: person.user.id, ip: null });
    expect(rows[0]?.data).toMatchObject({ listingsUnlisted: 1, sessionsEnded: 1 });
    expect(await t.app.db.auditLog.count({ where: { actorId: person.user.id, ip: { not: null } } })).toBe(0);
  });

  it("lets the database refuse anything new of theirs, and notices to them are dropped", async () => {
    const write = t.app.db.message.create({
      data: {
        conversationId: rawId(person.conversationId),
        senderId: person.user.id,
        body: "written after the account was deleted",
      },
    });
    await expect(write).rejects.toSatisfy((error) => sqlState(error) === "23503");
    const notified = await unitOfWork(t.app, (tx, effects) =>
      notify(tx, effects, {
        userId: person.user.id,
        type: "test.after_deletion",
        title: "Anyone there?",
        body: "No one.",
        data: {},
        link: "https://roost.example/",
        dedupeKey: `after-deletion:${person.user.id}`,
      }),
    );
    expect(notified).toBe(false);
    expect(await t.app.db.notification.count({ where: { userId: person.user.id } })).toBe(0);
  });

  it("frees the e-mail address for a new sign-up", async () => {
    const again = await t.client.ok(SignUpDocument, {
      input: {
        email: person.user.email,
        password: "a brand new password",
        firstName: "Zeb",
        lastName: "Again",
      },
    });
    expect(again.signUp.user.id).not.toBe(person.user.globalId);
    expect(again.signUp.user.email).toBe(person.user.email);
  });
});
