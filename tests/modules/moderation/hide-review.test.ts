// hideReview over real HTTP: the review leaves the listing's reviews and its rating (the stored
// aggregates search sorts on), cached pages included; its author and admins still see it; a review
// hidden before publication is published hidden; the audit row; refusals.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GuestReviewsDocument,
  HideReviewDocument,
  ListingReviewsDocument,
  ReviewDocument,
  SearchListingsDocument,
  UnhideReviewDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import {
  completedStay,
  guestReviewInput,
  hostReviewInput,
  respond,
  reviewBothSides,
  reviewOk,
} from "../../helpers/reviews.ts";
import { auditRowsOf, moderationFixture, type ModerationFixture, reason } from "./fixtures.ts";

let t: TestApp;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
let spots = 0;
const spot = () => ({ lat: -30.5 + ++spots * 2, lng: 150.5 });

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const hide = (admin: TestUser, reviewId: string) =>
  admin.client.request(HideReviewDocument, { input: { reviewId, reason } });
const unhide = (admin: TestUser, reviewId: string) =>
  admin.client.request(UnhideReviewDocument, { input: { reviewId, reason: "Appeal upheld." } });
const reviewsOf = async (f: ModerationFixture) =>
  (await t.client.ok(ListingReviewsDocument, { id: f.listingId, first: 10 })).listing;
const ratingNear = async (at: { lat: number; lng: number }) =>
  (await t.client.ok(SearchListingsDocument, { filter: { near: { ...at, radiusKm: 10 } }, first: 5 }))
    .searchListings.edges[0]?.node.rating;

/** Two completed stays at the listing by two guests, reviewed 5 and 1 stars, both published. */
async function twoReviews(f: ModerationFixture) {
  const other = await factories(t).user().create();
  const first = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
  const second = await completedStay(t, { ...f, guest: other }, { checkIn: day(-6), checkOut: day(-4) });
  const good = await reviewBothSides(first, 5);
  const bad = await reviewBothSides(second, 1);
  return { good, bad, badAuthor: other, badStay: second };
}

describe("hideReview", () => {
  it("takes the review out of the listing's reviews and rating, with no stale cached page or search", async () => {
    const at = spot();
    const f = await moderationFixture(t, at);
    const { bad, badAuthor } = await twoReviews(f);
    const shown = await reviewsOf(f);
    expect(shown?.rating).toMatchObject({ average: 3, count: 2 });
    expect(shown?.reviews.totalCount).toBe(2);
    expect(await ratingNear(at)).toEqual({ average: 3, count: 2 });

    const answer = await hide(f.admin, bad.id);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.hideReview.review).toMatchObject({ id: bad.id, hiddenAt: expect.any(String) });

    const after = await reviewsOf(f);
    expect(after?.rating).toMatchObject({ average: 5, count: 1, cleanliness: 5 });
    expect(after?.reviews.edges.map((edge) => edge.node.id)).not.toContain(bad.id);
    expect(after?.reviews.totalCount).toBe(1);
    expect(await ratingNear(at)).toEqual({ average: 5, count: 1 });
    const stored = await t.app.db.listing.findUniqueOrThrow({ where: { id: f.listing.id } });
    expect([stored.ratingAverage, stored.ratingCount]).toEqual([5, 1]);

    // Its author and admins still see it; to anyone else it is gone.
    expect((await badAuthor.client.ok(ReviewDocument, { id: bad.id })).node?.id).toBe(bad.id);
    expect((await f.admin.client.ok(ReviewDocument, { id: bad.id })).node?.id).toBe(bad.id);
    expect(codeOf(await t.client.request(ReviewDocument, { id: bad.id }))).toBe("NOT_FOUND");
    expect(codeOf(await f.host.client.request(ReviewDocument, { id: bad.id }))).toBe("NOT_FOUND");
  });

  it("takes a host's review of a guest out of the guest's reviews", async () => {
    const f = await moderationFixture(t, spot());
    const stay = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
    await reviewBothSides(stay, 4, 2);
    const aboutGuest = await t.app.db.review.findFirstOrThrow({
      where: { bookingId: stay.bookingRawId, direction: "HOST_TO_GUEST" },
    });
    const guestReviews = async () =>
      (await f.host.client.ok(GuestReviewsDocument, { id: f.guest.globalId })).node;
    await expect(guestReviews()).resolves.toMatchObject({ reviews: { totalCount: 1 } });
    expect((await hide(f.admin, encodeGlobalId("Review", aboutGuest.id))).errors).toBeUndefined();
    expect(await guestReviews()).toMatchObject({ reviews: { totalCount: 0 } });
    // The listing's rating is the guest's review's, untouched.
    expect((await reviewsOf(f))?.rating).toMatchObject({ average: 4, count: 1 });
  });

  it("keeps a review hidden before publication hidden once published, and tells nobody of it", async () => {
    const f = await moderationFixture(t, spot());
    const stay = await completedStay(t, f, { checkIn: day(-10), checkOut: day(-8) });
    const review = await reviewOk(f.guest, guestReviewInput(stay, 1));
    expect((await hide(f.admin, review.id)).errors).toBeUndefined();
    await reviewOk(f.host, hostReviewInput(stay, 5));
    const row = await t.app.db.review.findFirstOrThrow({
      where: { bookingId: stay.bookingRawId, direction: "GUEST_TO_HOST" },
    });
    expect(row.publishedAt).not.toBeNull();
    expect(row.hiddenAt).not.toBeNull();
    expect((await reviewsOf(f))?.rating).toBeNull();
    expect(
      await t.app.db.notification.count({ where: { userId: f.host.id, type: "review.published" } }),
    ).toBe(0);
    // The host cannot answer it either.
    expect(codeOf(await respond(f.host, review.id, "Thanks!"))).toBe("INVALID_STATE");
  });

  it("records the review and the listing's rating before and after", async () => {
    const f = await moderationFixture(t, spot());
    const { bad } = await twoReviews(f);
    await hide(f.admin, bad.id);
    const raw = (
      await t.app.db.review.findFirstOrThrow({ where: { comment: bad.comment, listingId: f.listing.id } })
    ).id;
    const [row, ...more] = await auditRowsOf(t, raw);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      actorId: f.admin.id,
      action: "review.hidden",
      entityType: "Review",
      data: {
        reason,
        before: { hiddenAt: null, listingRating: { average: 3, count: 2 } },
        after: { hiddenAt: expect.any(String), listingRating: { average: 5, count: 1 } },
        listingId: f.listing.id,
        direction: "GUEST_TO_HOST",
      },
    });
  });

  it("is refused for a review already hidden, and for ids naming no review", async () => {
    const f = await moderationFixture(t, spot());
    const { bad } = await twoReviews(f);
    expect((await hide(f.admin, bad.id)).errors).toBeUndefined();
    expect(codeOf(await hide(f.admin, bad.id))).toBe("INVALID_STATE");
    expect(codeOf(await hide(f.admin, encodeGlobalId("Review", randomUUID())))).toBe("NOT_FOUND");
    expect(codeOf(await hide(f.admin, f.listingId))).toBe("NOT_FOUND");
  });
});

describe("unhideReview", () => {
  it("puts a hidden review back in the listing's reviews and rating, cached pages and search included", async () => {
    const at = spot();
    const f = await moderationFixture(t, at);
    const { bad } = await twoReviews(f);
    expect((await hide(f.admin, bad.id)).errors).toBeUndefined();
    // Read while hidden, so a stale cached page or search would show now.
    expect((await reviewsOf(f))?.rating).toMatchObject({ average: 5, count: 1 });
    expect(await ratingNear(at)).toEqual({ average: 5, count: 1 });

    const answer = await unhide(f.admin, bad.id);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.unhideReview.review).toMatchObject({ id: bad.id, hiddenAt: null });
    const back = await reviewsOf(f);
    expect(back?.rating).toMatchObject({ average: 3, count: 2 });
    expect(back?.reviews.edges.map((edge) => edge.node.id)).toContain(bad.id);
    expect(await ratingNear(at)).toEqual({ average: 3, count: 2 });
    expect((await t.client.ok(ReviewDocument, { id: bad.id })).node?.id).toBe(bad.id);

    const raw = (
      await t.app.db.review.findFirstOrThrow({ where: { comment: bad.comment, listingId: f.listing.id } })
    ).id;
    const rows = await auditRowsOf(t, raw);
    expect(rows.map((row) => row.action).sort()).toEqual(["review.hidden", "review.unhidden"]);
    expect(rows.find((row) => row.action === "review.unhidden")).toMatchObject({
      actorId: f.admin.id,
      data: {
        reason: "Appeal upheld.",
        before: { hiddenAt: expect.any(String), listingRating: { average: 5, count: 1 } },
        after: { hiddenAt: null, listingRating: { average: 3, count: 2 } },
      },
    });
  });

  it("is refused for a review that is not hidden, and for ids naming no review", async () => {
    const f = await moderationFixture(t, spot());
    const { bad } = await twoReviews(f);
    expect(codeOf(await unhide(f.admin, bad.id))).toBe("INVALID_STATE");
    expect((await hide(f.admin, bad.id)).errors).toBeUndefined();
    expect((await unhide(f.admin, bad.id)).errors).toBeUndefined();
    expect(codeOf(await unhide(f.admin, bad.id))).toBe("INVALID_STATE");
    expect(codeOf(await unhide(f.admin, encodeGlobalId("Review", randomUUID())))).toBe("NOT_FOUND");
  });
});
