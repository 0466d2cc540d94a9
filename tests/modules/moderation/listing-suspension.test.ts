// suspendListing and reinstateListing over real HTTP: what the public, the host and admins see
// (search and listing pages, cached answers included), bookings and quotes refused while existing
// bookings stand, who is told, the status it returns to, and the audit row written in the same
// transaction as the change.
import { randomUUID } from "node:crypto";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BookingDocument,
  ListingDocument,
  NotificationsDocument,
  PublishListingDocument,
  QuoteDocument,
  ReinstateListingDocument,
  SearchListingsDocument,
  SuspendListingDocument,
  UnpublishListingDocument,
} from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, rawId, requestBooking, staySequence } from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";
import { auditRowsOf, failNotificationsFor, moderationFixture, reason } from "./fixtures.ts";

let t: TestApp;
let runner: Runner;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const nextDates = staySequence(day(30), 2);
/** Each test's listing in a 1° search cell of its own. */
let spots = 0;
const spot = () => ({ lat: 20.5 + ++spots * 2, lng: 30.5 });

beforeAll(async () => {
  t = await startTestApp();
  runner = await t.startWorker();
});
afterAll(async () => {
  await t?.close();
});

const suspend = (admin: { client: TestApp["client"] }, listingId: string, why = reason) =>
  admin.client.request(SuspendListingDocument, { input: { listingId, reason: why } });
const reinstate = (admin: { client: TestApp["client"] }, listingId: string, why = "Appeal accepted.") =>
  admin.client.request(ReinstateListingDocument, { input: { listingId, reason: why } });
const titlesNear = async (at: { lat: number; lng: number }) =>
  (
    await t.client.ok(SearchListingsDocument, { filter: { near: { ...at, radiusKm: 10 } }, first: 20 })
  ).searchListings.edges.map((edge) => edge.node.title);
const statusOf = async (listing: Listing) =>
  (await t.app.db.listing.findUniqueOrThrow({ where: { id: listing.id } })).status;

describe("suspendListing", () => {
  it("hides it from the public's search and page at once, cached answers included; its host and admins still see it", async () => {
    const at = spot();
    const f = await moderationFixture(t, { ...at, title: "Harbour loft" });
    expect((await t.client.ok(ListingDocument, { id: f.listingId })).listing?.title).toBe("Harbour loft");
    expect(await titlesNear(at)).toEqual(["Harbour loft"]);
    // Proof the page and the search are answered from the response cache: a change made behind
    // the API's back does not show.
    await t.app.db.listing.update({ where: { id: f.listing.id }, data: { title: "Renamed quietly" } });
    expect(await titlesNear(at)).toEqual(["Harbour loft"]);
    expect((await t.client.ok(ListingDocument, { id: f.listingId })).listing?.title).toBe("Harbour loft");

    const suspended = await suspend(f.admin, f.listingId);
    expect(suspended.errors).toBeUndefined();
    expect(suspended.data?.suspendListing.listing).toMatchObject({ id: f.listingId, status: "SUSPENDED" });

    expect(await titlesNear(at)).toEqual([]);
    expect(codeOf(await t.client.request(ListingDocument, { id: f.listingId }))).toBe("NOT_FOUND");
    expect(codeOf(await f.guest.client.request(ListingDocument, { id: f.listingId }))).toBe("NOT_FOUND");
    expect((await f.host.client.ok(ListingDocument, { id: f.listingId })).listing?.status).toBe("SUSPENDED");
    expect((await f.admin.client.ok(ListingDocument, { id: f.listingId })).listing?.status).toBe("SUSPENDED");
  });

  it("refuses new bookings and quotes, leaves bookings already made as they are, and tells the host and those guests", async () => {
    const f = await moderationFixture(t, { ...spot(), instantBook: true, title: "Mill house" });
    const booked = await book(f.guest, bookingInput(f, nextDates()));
    expect(booked.status).toBe("CONFIRMED");
    const before = await t.app.db.booking.findUniqueOrThrow({
      where: { id: rawId(booked.id) },
      include: { payment: true },
    });
    const addresses = [f.host.email, f.guest.email];
    const emails = jobsCompleted(runner, 2, (job) => {
      const email = job.payload as { to?: string; data?: { title?: string } };
      return (
        job.task_identifier === "send_email" &&
        addresses.includes(email.to ?? "") &&
        /suspended/.test(email.data?.title ?? "")
      );
    });

    expect((await suspend(f.admin, f.listingId)).errors).toBeUndefined();

    // Another guest cannot find it to book it; whoever still sees it is told it is suspended.
    const other = await factories(t).user().create();
    const dates = nextDates();
    expect(codeOf(await requestBooking(other, bookingInput(f, dates)))).toBe("NOT_FOUND");
    expect(codeOf(await requestBooking(f.guest, bookingInput(f, dates)))).toBe("NOT_FOUND");
    expect(codeOf(await requestBooking(f.admin, bookingInput(f, dates)))).toBe("INVALID_STATE");
    const quote = { listingId: f.listingId, ...dates, guests: 2 };
    expect(codeOf(await other.client.request(QuoteDocument, { input: quote }))).toBe("NOT_FOUND");
    const refused = await f.host.client.request(QuoteDocument, { input: quote });
    expect(codeOf(refused)).toBe("INVALID_STATE");
    expect(refused.errors?.[0]?.message).toMatch(/suspended/);
    expect(codeOf(await f.admin.client.request(QuoteDocument, { input: quote }))).toBe("INVALID_STATE");
    expect(await t.app.db.booking.count({ where: { listingId: f.listing.id } })).toBe(1);

    // The booking made before stands, and its guest still reads it.
    const after = await t.app.db.booking.findUniqueOrThrow({
      where: { id: rawId(booked.id) },
      include: { payment: true },
    });
    expect(after).toEqual(before);
    expect((await f.guest.client.ok(BookingDocument, { id: booked.id })).booking).toMatchObject({
      status: "CONFIRMED",
      listing: { id: f.listingId },
    });

    // Told in-app, with the change, and by e-mail.
    const noticesOf = async (user: typeof f.host) =>
      (await user.client.ok(NotificationsDocument, { first: 20 })).notifications.edges
        .map((edge) => edge.node)
        .filter((notice) => notice.type === "listing.suspended");
    expect(await noticesOf(f.host)).toMatchObject([{ title: "Your listing was suspended" }]);
    const [guestNotice] = await noticesOf(f.guest);
    expect(guestNotice).toMatchObject({ title: "A place you booked was suspended", bookingId: booked.id });
    expect(guestNotice?.body).toContain("Mill house");
    expect(guestNotice?.body).not.toContain(reason);
    await emails;
    const sent = await t.app.db.emailOutbox.findMany({ where: { toAddress: { in: addresses } } });
    expect(
      sent
        .filter((email) => /suspended/.test(email.subject))
        .map((email) => email.toAddress)
        .sort(),
    ).toEqual([...addresses].sort());
  });

  it("is refused when the listing is already suspended, names nothing, or the reason is bad", async () => {
    const f = await moderationFixture(t, spot());
    expect((await suspend(f.admin, f.listingId)).errors).toBeUndefined();
    expect(codeOf(await suspend(f.admin, f.listingId))).toBe("INVALID_STATE");
    const unknown = encodeGlobalId("Listing", randomUUID());
    expect(codeOf(await suspend(f.admin, unknown))).toBe("NOT_FOUND");
    expect(codeOf(await suspend(f.admin, f.guest.globalId))).toBe("NOT_FOUND");
    for (const bad of ["", "   ", "x".repeat(1_001), "bell\u0007"]) {
      const answer = await suspend(f.admin, f.listingId, bad);
      expect(codeOf(answer)).toBe("BAD_USER_INPUT");
      expect(fieldsOf(answer).map((field) => field.path)).toEqual(["reason"]);
    }
    // Only the first suspension was recorded.
    expect((await auditRowsOf(t, f.listing.id)).map((row) => row.action)).toEqual(["listing.suspended"]);
  });

  it("keeps the host from publishing or unpublishing it", async () => {
    const f = await moderationFixture(t, spot());
    await suspend(f.admin, f.listingId);
    const input = { listingId: f.listingId };
    expect(codeOf(await f.host.client.request(UnpublishListingDocument, { input }))).toBe("INVALID_STATE");
    expect(codeOf(await f.host.client.request(PublishListingDocument, { input }))).toBe("INVALID_STATE");
    expect(await statusOf(f.listing)).toBe("SUSPENDED");
  });

  it("writes its audit row (actor, before and after, reason, request id, IP) in the change's own transaction", async () => {
    const f = await moderationFixture(t, { ...spot(), instantBook: true });
    await book(f.guest, bookingInput(f, nextDates()));
    const requestId = `audit-${randomUUID()}`;
    const answer = await f.admin.client
      .withHeaders({ "x-request-id": requestId })
      .request(SuspendListingDocument, { input: { listingId: f.listingId, reason: `  ${reason}  ` } });
    expect(answer.errors).toBeUndefined();
    const [row, ...more] = await auditRowsOf(t, f.listing.id);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      actorId: f.admin.id,
      action: "listing.suspended",
      entityType: "Listing",
      entityId: f.listing.id,
      requestId,
      data: {
        reason,
        before: { status: "LISTED", suspendedFrom: null, suspendedDirectly: false, suspendedWithHost: false },
        after: {
          status: "SUSPENDED",
          suspendedFrom: "LISTED",
          suspendedDirectly: true,
          suspendedWithHost: false,
        },
      },
    });
    expect(row?.ip).toMatch(/127\.0\.0\.1/);
  });

  it("leaves neither the change nor its audit row when a later write of the same transaction fails", async () => {
    const f = await moderationFixture(t, { ...spot(), instantBook: true });
    await book(f.guest, bookingInput(f, nextDates()));
    // The guest's notice is written after the listing row and the audit row.
    const undo = await failNotificationsFor(t, f.guest.id);
    try {
      expect(codeOf(await suspend(f.admin, f.listingId))).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await undo();
    }
    expect(await statusOf(f.listing)).toBe("LISTED");
    expect(await auditRowsOf(t, f.listing.id)).toEqual([]);
    expect(
      await t.app.db.notification.count({ where: { userId: f.host.id, type: "listing.suspended" } }),
    ).toBe(0);
    expect((await t.client.ok(ListingDocument, { id: f.listingId })).listing?.status).toBe("LISTED");
    // And once the failure is gone the same request goes through.
    expect((await suspend(f.admin, f.listingId)).errors).toBeUndefined();
    expect(await auditRowsOf(t, f.listing.id)).toHaveLength(1);
  });
});

describe("reinstateListing", () => {
  it.each(["LISTED", "UNLISTED", "DRAFT"] as const)(
    "returns a listing suspended while %s to that status, not blindly to LISTED",
    async (status) => {
      const at = spot();
      const f = await moderationFixture(t, { ...at, status, title: `Was ${status}` });
      await suspend(f.admin, f.listingId);
      const answer = await reinstate(f.admin, f.listingId);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.reinstateListing.listing.status).toBe(status);
      expect(await titlesNear(at)).toEqual(status === "LISTED" ? [`Was ${status}`] : []);
      const rows = await auditRowsOf(t, f.listing.id);
      expect(rows.map((row) => row.action)).toEqual(["listing.suspended", "listing.reinstated"]);
      expect(rows[1]?.data).toMatchObject({
        reason: "Appeal accepted.",
        before: { status: "SUSPENDED", suspendedFrom: status },
        after: { status, suspendedFrom: null, suspendedDirectly: false },
      });
      const notices = await t.app.db.notification.findMany({
        where: { userId: f.host.id, type: "listing.reinstated" },
      });
      expect(notices).toHaveLength(1);
    },
  );

  it("shows a reinstated LISTED listing in search again, with no stale cached answer", async () => {
    const at = spot();
    const f = await moderationFixture(t, { ...at, title: "Back again" });
    await suspend(f.admin, f.listingId);
    expect(await titlesNear(at)).toEqual([]);
    expect(codeOf(await t.client.request(ListingDocument, { id: f.listingId }))).toBe("NOT_FOUND");
    await reinstate(f.admin, f.listingId);
    expect(await titlesNear(at)).toEqual(["Back again"]);
    expect((await t.client.ok(ListingDocument, { id: f.listingId })).listing?.status).toBe("LISTED");
  });

  it("returns a listing that lost its photos while suspended as UNLISTED, and says why", async () => {
    const f = await moderationFixture(t, spot());
    await suspend(f.admin, f.listingId);
    await t.app.db.listingPhoto.deleteMany({ where: { listingId: f.listing.id } });
    const answer = await reinstate(f.admin, f.listingId);
    expect(answer.data?.reinstateListing.listing.status).toBe("UNLISTED");
    const rows = await auditRowsOf(t, f.listing.id);
    expect(rows[1]?.data).toMatchObject({
      after: { status: "UNLISTED" },
      note: expect.stringMatching(/photo|publishing/),
    });
  });

  it("is refused for a listing that is not suspended", async () => {
    const f = await moderationFixture(t, spot());
    expect(codeOf(await reinstate(f.admin, f.listingId))).toBe("INVALID_STATE");
    expect(await auditRowsOf(t, f.listing.id)).toEqual([]);
  });
});
