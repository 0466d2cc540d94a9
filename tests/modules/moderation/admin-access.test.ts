// Every admin operation refused to everyone else, before anything is read or written:
// UNAUTHENTICATED without a token, FORBIDDEN for a guest and for a host (even the host of the
// listing concerned), whatever the ids name. And the audit log: newest first, its filters, pages,
// and entries visible to admins only.
import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditLogDocument,
  HideReviewDocument,
  UnhideReviewDocument,
  RefundBookingDocument,
  ReinstateListingDocument,
  ReinstateUserDocument,
  ReportListingDocument,
  ReportsDocument,
  ResolveReportDocument,
  SuspendListingDocument,
  SuspendUserDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput } from "../../helpers/bookings.ts";
import { codeOf, type GraphQLClient, type GraphQLErrorJson } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";
import { completedStay, reviewBothSides } from "../../helpers/reviews.ts";
import { moderationFixture, type ModerationFixture, reason } from "./fixtures.ts";

let t: TestApp;
let f: ModerationFixture;
let bookingId: string;
let reviewId: string;
let reportId: string;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestApp();
  f = await moderationFixture(t, { instantBook: true });
  bookingId = (await book(f.guest, bookingInput(f, { checkIn: day(20), checkOut: day(22) }))).id;
  const stay = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
  reviewId = (await reviewBothSides(stay, 3)).id;
  reportId = (
    await f.guest.client.ok(ReportListingDocument, { input: { listingId: f.listingId, reason: "spam" } })
  ).reportListing.report.id;
});
afterAll(async () => {
  await t?.close();
});

interface Operation {
  name: string;
  call: (client: GraphQLClient) => Promise<{ errors?: GraphQLErrorJson[] }>;
}

const op = <TData, TVariables>(
  name: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: () => TVariables,
): Operation => ({ name, call: (client) => client.request(document, variables()) });

const operations: Operation[] = [
  op("suspendListing", SuspendListingDocument, () => ({ input: { listingId: f.listingId, reason } })),
  op("reinstateListing", ReinstateListingDocument, () => ({ input: { listingId: f.listingId, reason } })),
  op("suspendUser", SuspendUserDocument, () => ({ input: { userId: f.host.globalId, reason } })),
  op("reinstateUser", ReinstateUserDocument, () => ({ input: { userId: f.host.globalId, reason } })),
  op("hideReview", HideReviewDocument, () => ({ input: { reviewId, reason } })),
  op("unhideReview", UnhideReviewDocument, () => ({ input: { reviewId, reason } })),
  op("refundBooking", RefundBookingDocument, () => ({
    input: { bookingId, reason, idempotencyKey: randomUUID() },
  })),
  op("resolveReport", ResolveReportDocument, () => ({
    input: { reportId, resolution: "DISMISSED" as const },
  })),
  op("reports", ReportsDocument, () => ({})),
  op("auditLog", AuditLogDocument, () => ({})),
];

describe("admin operations", () => {
  const callers = [
    { who: "an anonymous caller", code: "UNAUTHENTICATED", client: () => t.client },
    { who: "a guest (the booking's own)", code: "FORBIDDEN", client: () => f.guest.client },
    { who: "a host (the listing's own)", code: "FORBIDDEN", client: () => f.host.client },
  ];

  describe.each(callers)("refused to $who", ({ code, client }) => {
    it.each(operations.map((operation) => [operation.name, operation] as const))(
      "%s",
      async (_name, operation) => {
        const answer = await operation.call(client());
        expect(codeOf(answer)).toBe(code);
      },
    );
  });

  it("refuse a non-admin before reading the ids: an id naming nothing is FORBIDDEN too", async () => {
    const answer = await f.guest.client.request(SuspendListingDocument, {
      input: { listingId: encodeGlobalId("Listing", randomUUID()), reason },
    });
    expect(codeOf(answer)).toBe("FORBIDDEN");
  });

  it("changed nothing and recorded nothing for those refused", async () => {
    expect((await t.app.db.listing.findUniqueOrThrow({ where: { id: f.listing.id } })).status).toBe("LISTED");
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: f.host.id } })).suspendedAt).toBeNull();
    expect(await t.app.db.review.count({ where: { hiddenAt: { not: null } } })).toBe(0);
    expect(await t.app.db.refund.count()).toBe(0);
    expect((await t.app.db.report.findFirstOrThrow()).status).toBe("OPEN");
    expect(await t.app.db.auditLog.count({ where: { actorId: { in: [f.guest.id, f.host.id] } } })).toBe(0);
  });

  it("are refused to an admin at once once the role is taken away", async () => {
    const demoted = await factories(t).user().admin().create();
    expect((await demoted.client.request(ReportsDocument, {})).errors).toBeUndefined();
    await t.app.db.user.update({ where: { id: demoted.id }, data: { role: "GUEST" } });
    expect(codeOf(await demoted.client.request(ReportsDocument, {}))).toBe("FORBIDDEN");
  });
});

describe("auditLog", () => {
  it("lists admin actions newest first, filtered by entity, actor and action, in pages", async () => {
    const { admin } = f;
    await admin.client.ok(SuspendListingDocument, { input: { listingId: f.listingId, reason: "first" } });
    await admin.client.ok(ReinstateListingDocument, { input: { listingId: f.listingId, reason: "second" } });
    await admin.client.ok(HideReviewDocument, { input: { reviewId, reason: "third" } });

    const all = await admin.client.ok(AuditLogDocument, { first: 10 });
    const mine = all.auditLog.edges
      .map((edge) => edge.node)
      .filter((node) => node.actor?.id === admin.globalId);
    expect(mine.map((node) => [node.action, node.reason])).toEqual([
      ["review.hidden", "third"],
      ["listing.reinstated", "second"],
      ["listing.suspended", "first"],
    ]);
    expect(mine[2]).toMatchObject({
      entityType: "Listing",
      entityId: f.listingId,
      requestId: expect.any(String),
      ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(JSON.parse(mine[2]?.data ?? "{}")).toMatchObject({
      before: { status: "LISTED" },
      after: { status: "SUSPENDED" },
    });

    const byEntity = await admin.client.ok(AuditLogDocument, { filter: { entityId: f.listingId } });
    expect(byEntity.auditLog.edges.map((edge) => edge.node.action)).toEqual([
      "listing.reinstated",
      "listing.suspended",
    ]);
    expect(byEntity.auditLog.totalCount).toBe(2);
    const byAction = await admin.client.ok(AuditLogDocument, {
      filter: { action: "review.hidden", actorId: admin.globalId, entityType: "Review" },
    });
    expect(byAction.auditLog.edges.map((edge) => edge.node.entityId)).toEqual([reviewId]);
    const mismatched = await admin.client.ok(AuditLogDocument, {
      filter: { entityType: "User", entityId: f.listingId },
    });
    expect(mismatched.auditLog.totalCount).toBe(0);

    const page1 = await admin.client.ok(AuditLogDocument, { first: 1, filter: { actorId: admin.globalId } });
    const page2 = await admin.client.ok(AuditLogDocument, {
      first: 5,
      after: page1.auditLog.pageInfo.endCursor,
      filter: { actorId: admin.globalId },
    });
    expect([...page1.auditLog.edges, ...page2.auditLog.edges].map((edge) => edge.node.id)).toEqual(
      mine.map((node) => node.id),
    );

    expect(codeOf(await admin.client.request(AuditLogDocument, { filter: { entityId: "garbage" } }))).toBe(
      "NOT_FOUND",
    );
    // An entry is a node, for admins only.
    const entryId = mine[0]?.id ?? "";
    const node = `query($id: ID!) { node(id: $id) { id ... on AuditLogEntry { action } } }`;
    expect(
      (await admin.client.ok<{ node: { action: string } }, { id: string }>(node, { id: entryId })).node
        .action,
    ).toBe("review.hidden");
    expect(codeOf(await f.host.client.request(node, { id: entryId }))).toBe("NOT_FOUND");
  });
});
