// Reports over real HTTP: reportListing, reportReview and reportUser for signed-in users (what
// they may report, reasons checked like other text, one open report per reporter and target even
// under concurrency), the admins' queue (open first, oldest first, filters, pages) and
// resolveReport with its audit row.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ReportListingDocument,
  ReportReviewDocument,
  ReportsDocument,
  ReportUserDocument,
  ResolveReportDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { REPORTS_PER_HOUR } from "../../../src/modules/moderation/reports.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId } from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { completedStay, guestReviewInput, reviewBothSides, reviewOk } from "../../helpers/reviews.ts";
import { auditRowsOf, moderationFixture } from "./fixtures.ts";

let t: TestApp;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const reportListing = (user: TestUser, listingId: string, reason = "The photos are not of this place.") =>
  user.client.request(ReportListingDocument, { input: { listingId, reason } });

describe("reporting", () => {
  it("files a report of a listing, a review and a user, each OPEN, naming its target", async () => {
    const f = await moderationFixture(t);
    const stay = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
    const review = await reviewBothSides(stay, 2);
    const reporter = await factories(t).user().create();

    const listing = await reportListing(reporter, f.listingId);
    expect(listing.errors).toBeUndefined();
    expect(listing.data?.reportListing.report).toMatchObject({
      targetType: "LISTING",
      listing: { id: f.listingId },
      review: null,
      reportedUser: null,
      reporter: { id: reporter.globalId },
      reason: "The photos are not of this place.",
      status: "OPEN",
      resolvedAt: null,
    });
    const byHost = await f.host.client.request(ReportReviewDocument, {
      input: { reviewId: review.id, reason: "  Mentions my home address.\nPlease remove.  " },
    });
    expect(byHost.data?.reportReview.report).toMatchObject({
      targetType: "REVIEW",
      review: { id: review.id },
      reason: "Mentions my home address.\nPlease remove.",
    });
    const user = await f.host.client.request(ReportUserDocument, {
      input: { userId: f.guest.globalId, reason: "Threatening messages." },
    });
    expect(user.data?.reportUser.report).toMatchObject({
      targetType: "USER",
      reportedUser: { id: f.guest.globalId },
    });
  });

  it("returns the open report unchanged when the same reporter reports the same target again, even at once", async () => {
    const f = await moderationFixture(t);
    const reporter = await factories(t).user().create();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => reportListing(reporter, f.listingId, `Attempt ${i}`)),
    );
    const ids = new Set(answers.map((answer) => answer.data?.reportListing.report.id));
    expect(answers.every((answer) => answer.errors === undefined)).toBe(true);
    expect(ids.size).toBe(1);
    expect(await t.app.db.report.count({ where: { listingId: f.listing.id } })).toBe(1);
    // Another reporter's report is their own.
    const other = await factories(t).user().create();
    const theirs = await reportListing(other, f.listingId);
    expect(ids.has(theirs.data?.reportListing.report.id)).toBe(false);

    // Once closed, the same reporter may report it again.
    const [id] = [...ids];
    await f.admin.client.ok(ResolveReportDocument, {
      input: { reportId: id ?? "", resolution: "DISMISSED" },
    });
    const again = await reportListing(reporter, f.listingId);
    expect(again.data?.reportListing.report).toMatchObject({ status: "OPEN" });
    expect(again.data?.reportListing.report.id).not.toBe(id);
  });

  it("refuses reporting one's own listing, one's own review and oneself", async () => {
    const f = await moderationFixture(t);
    const stay = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
    const review = await reviewBothSides(stay, 4);
    const own = await reportListing(f.host, f.listingId);
    expect(codeOf(own)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(own).map((field) => field.path)).toEqual(["listingId"]);
    const ownReview = await f.guest.client.request(ReportReviewDocument, {
      input: { reviewId: review.id, reason: "mine" },
    });
    expect(fieldsOf(ownReview).map((field) => field.path)).toEqual(["reviewId"]);
    const self = await f.guest.client.request(ReportUserDocument, {
      input: { userId: f.guest.globalId, reason: "me" },
    });
    expect(fieldsOf(self).map((field) => field.path)).toEqual(["userId"]);
    expect(await t.app.db.report.count({ where: { reporterId: { in: [f.host.id, f.guest.id] } } })).toBe(0);
  });

  it("answers NOT_FOUND for what the reporter cannot see: a draft, an unpublished review, unknown ids", async () => {
    const f = await moderationFixture(t);
    const reporter = await factories(t).user().create();
    const draft = await factories(t).listing(f.host).create();
    expect(codeOf(await reportListing(reporter, encodeGlobalId("Listing", draft.id)))).toBe("NOT_FOUND");
    expect(codeOf(await reportListing(reporter, encodeGlobalId("Listing", randomUUID())))).toBe("NOT_FOUND");
    expect(codeOf(await reportListing(reporter, f.guest.globalId))).toBe("NOT_FOUND");
    const stay = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
    const hidden = await reviewOk(f.guest, guestReviewInput(stay, 3)); // double-blind: not yet published
    const unpublished = await reporter.client.request(ReportReviewDocument, {
      input: { reviewId: hidden.id, reason: "?" },
    });
    expect(codeOf(unpublished)).toBe("NOT_FOUND");
    const nobody = await reporter.client.request(ReportUserDocument, {
      input: { userId: encodeGlobalId("User", randomUUID()), reason: "?" },
    });
    expect(codeOf(nobody)).toBe("NOT_FOUND");
  });

  it("checks the reason like other text: not blank, at most 1,000 characters, no control characters", async () => {
    const f = await moderationFixture(t);
    const reporter = await factories(t).user().create();
    for (const reason of ["", " \n ", "x".repeat(1_001), "nul\u0000byte", "esc\u001b[31m", "\u200b\u200b"]) {
      const answer = await reportListing(reporter, f.listingId, reason);
      expect(codeOf(answer), JSON.stringify(reason)).toBe("BAD_USER_INPUT");
      expect(fieldsOf(answer).map((field) => field.path)).toEqual(["reason"]);
    }
    expect((await reportListing(reporter, f.listingId, "x".repeat(1_000))).errors).toBeUndefined();
  });

  it("limits how many reports a user files in an hour (duplicates count)", async () => {
    const f = await moderationFixture(t);
    const reporter = await factories(t).user().create();
    for (let i = 0; i < REPORTS_PER_HOUR; i++) {
      expect((await reportListing(reporter, f.listingId)).errors).toBeUndefined();
    }
    const limited = await reportListing(reporter, f.listingId);
    expect(codeOf(limited)).toBe("RATE_LIMITED");
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
  });

  it("needs a signed-in caller", async () => {
    const f = await moderationFixture(t);
    const answer = await t.client.request(ReportListingDocument, {
      input: { listingId: f.listingId, reason: "anonymous" },
    });
    expect(codeOf(answer)).toBe("UNAUTHENTICATED");
  });
});

describe("the reports queue", () => {
  it("lists open reports first, oldest first, then closed ones; filters by status and type; pages", async () => {
    // A database of its own: this test reads the whole queue.
    const own = await startTestApp();
    try {
      const f = await moderationFixture(own);
      const reporters = await Promise.all(Array.from({ length: 3 }, () => factories(own).user().create()));
      const filed: string[] = [];
      for (const reporter of reporters) {
        const answer = await reporter.client.ok(ReportListingDocument, {
          input: { listingId: f.listingId, reason: "spam" },
        });
        filed.push(answer.reportListing.report.id);
      }
      const userReport = await reporters[0]!.client.ok(ReportUserDocument, {
        input: { userId: f.host.globalId, reason: "spam" },
      });
      filed.push(userReport.reportUser.report.id);
      // The oldest is closed: it goes to the end.
      await f.admin.client.ok(ResolveReportDocument, {
        input: { reportId: filed[0]!, resolution: "RESOLVED", note: "Listing fixed." },
      });

      const queue = await f.admin.client.ok(ReportsDocument, {});
      expect(queue.reports.totalCount).toBe(4);
      expect(queue.reports.edges.map((edge) => edge.node.id)).toEqual([
        filed[1],
        filed[2],
        filed[3],
        filed[0],
      ]);
      expect(queue.reports.edges.map((edge) => edge.node.status)).toEqual([
        "OPEN",
        "OPEN",
        "OPEN",
        "RESOLVED",
      ]);

      const open = await f.admin.client.ok(ReportsDocument, {
        filter: { status: ["OPEN"], targetType: "LISTING" },
      });
      expect(open.reports.edges.map((edge) => edge.node.id)).toEqual([filed[1], filed[2]]);

      const page1 = await f.admin.client.ok(ReportsDocument, { first: 2 });
      expect(page1.reports.pageInfo.hasNextPage).toBe(true);
      const page2 = await f.admin.client.ok(ReportsDocument, {
        first: 2,
        after: page1.reports.pageInfo.endCursor,
      });
      expect([...page1.reports.edges, ...page2.reports.edges].map((edge) => edge.node.id)).toEqual(
        queue.reports.edges.map((edge) => edge.node.id),
      );
      expect(page2.reports.pageInfo.hasNextPage).toBe(false);
    } finally {
      await own.close();
    }
  });

  it("resolves or dismisses an open report once, with an audit row", async () => {
    const f = await moderationFixture(t);
    const reporter = await factories(t).user().create();
    const filed = (await reportListing(reporter, f.listingId)).data?.reportListing.report.id ?? "";
    const closed = await f.admin.client.request(ResolveReportDocument, {
      input: { reportId: filed, resolution: "RESOLVED", note: "Photos replaced by the host." },
    });
    expect(closed.data?.resolveReport.report).toMatchObject({
      status: "RESOLVED",
      resolutionNote: "Photos replaced by the host.",
      resolvedBy: { id: f.admin.globalId },
      resolvedAt: expect.any(String),
    });
    const again = await f.admin.client.request(ResolveReportDocument, {
      input: { reportId: filed, resolution: "DISMISSED" },
    });
    expect(codeOf(again)).toBe("INVALID_STATE");
    expect(await auditRowsOf(t, rawId(filed))).toMatchObject([
      {
        actorId: f.admin.id,
        action: "report.resolved",
        entityType: "Report",
        data: {
          reason: "Photos replaced by the host.",
          before: { status: "OPEN" },
          after: { status: "RESOLVED" },
        },
      },
    ]);
    expect(
      codeOf(
        await f.admin.client.request(ResolveReportDocument, {
          input: { reportId: encodeGlobalId("Report", randomUUID()), resolution: "RESOLVED" },
        }),
      ),
    ).toBe("NOT_FOUND");
  });
});
