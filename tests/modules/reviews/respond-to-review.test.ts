// respondToReview (the listing's host answers a published guest review once) and User.reviews
// (what hosts wrote about a guest, for any signed-in user deciding on a request).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GuestReviewsDocument, RespondToReviewDocument } from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import {
  completedStay,
  guestReviewInput,
  hostReviewInput,
  listingReviews,
  respond,
  type ReviewedStay,
  reviewBothSides,
  reviewOk,
} from "../../helpers/reviews.ts";

let t: TestApp;
let host: TestUser;
let listing: Listing;

// Real time here: the stay ended yesterday, so its window is open.
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().host().create();
  listing = await factories(t).listing(host).listed().create();
});
afterAll(() => t.close());

async function stay(guest?: TestUser): Promise<ReviewedStay> {
  const who = guest ?? (await factories(t).user().named("Greta", "Guest").create());
  return completedStay(t, { host, guest: who, listing }, { checkIn: daysAgo(4), checkOut: yesterday() });
}

describe("respondToReview", () => {
  it("lets the listing's host answer a published guest review once, shown on the listing", async () => {
    const s = await stay();
    const review = await reviewBothSides(s, 3);
    const answered = await host.client.ok(RespondToReviewDocument, {
      input: { reviewId: review.id, response: "  Thanks, we fixed the heater.  " },
    });
    expect(answered.respondToReview.review).toMatchObject({
      id: review.id,
      response: "Thanks, we fixed the heater.",
      respondedAt: expect.any(String),
    });
    // The cached listing page follows.
    const seen = await listingReviews(t, listing);
    expect(seen.reviews.edges.find((e) => e.node.id === review.id)?.node.response).toBe(
      "Thanks, we fixed the heater.",
    );
    expect(codeOf(await respond(host, review.id, "Second thoughts"))).toBe("CONFLICT");
  });

  it("keeps exactly one of concurrent answers", async () => {
    const s = await stay();
    const review = await reviewBothSides(s, 4);
    const results = await Promise.all(
      ["one", "two", "three", "four"].map((r) => respond(host, review.id, r)),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === "CONFLICT")).toHaveLength(3);
  });

  it("is INVALID_STATE while the review is unpublished", async () => {
    const s = await stay();
    const review = await reviewOk(s.guest, guestReviewInput(s, 5));
    expect(codeOf(await respond(host, review.id, "Thanks!"))).toBe("INVALID_STATE");
  });

  it("is FORBIDDEN for others who can see the review, NOT_FOUND for those who cannot", async () => {
    const s = await stay();
    const review = await reviewBothSides(s, 4);
    const stranger = await factories(t).user().create();
    const admin = await factories(t).user().admin().create();
    for (const who of [s.guest, stranger, admin]) {
      expect(codeOf(await respond(who, review.id, "Not mine to answer"))).toBe("FORBIDDEN");
    }
    // The host's own review of the guest is no guest review of the listing.
    const own = await reviewOk(host, hostReviewInput(await stay(), 4));
    expect(codeOf(await respond(host, own.id, "Answering myself"))).toBe("FORBIDDEN");
    // An unpublished guest review is not there for anyone but its author (and the listing's host, above).
    const other = await stay();
    const secret = await reviewOk(other.guest, guestReviewInput(other, 1));
    expect(codeOf(await respond(stranger, secret.id, "Peek"))).toBe("NOT_FOUND");
    expect(codeOf(await respond(host, encodeGlobalId("Review", listing.id), "No such review"))).toBe(
      "NOT_FOUND",
    );
    expect(codeOf(await respond(host, secret.id.slice(0, 10), "Malformed"))).toBe("NOT_FOUND");
  });

  it("refuses an empty or over-long response with BAD_USER_INPUT", async () => {
    const s = await stay();
    const review = await reviewBothSides(s, 4);
    for (const response of ["  ", "x".repeat(1_001), "bell\u0007"]) {
      const result = await respond(host, review.id, response);
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(fieldsOf(result).map((f) => f.path)).toEqual(["response"]);
    }
    expect((await respond(host, review.id, "y".repeat(1_000))).errors).toBeUndefined();
  });
});

describe("User.reviews", () => {
  it("lists published host reviews of the guest, newest first, to any signed-in user; null for anonymous callers", async () => {
    const guest = await factories(t).user().named("Gil", "Guest").create();
    const first = await stay(guest);
    await reviewOk(host, hostReviewInput(first, 5, { comment: "Perfect guest." }));
    await reviewOk(guest, guestReviewInput(first, 5));
    const second = await stay(guest);
    await reviewOk(host, hostReviewInput(second, 2, { comment: "Noisy." }));
    await reviewOk(guest, guestReviewInput(second, 4));
    // Written, not yet published (the guest has not reviewed): not listed.
    await reviewOk(host, hostReviewInput(await stay(guest), 1, { comment: "Hidden for now." }));

    const otherHost = await factories(t).user().host().create();
    const data = await otherHost.client.ok(GuestReviewsDocument, { id: guest.globalId });
    const reviews = data.node && "reviews" in data.node ? data.node.reviews : null;
    expect(reviews?.totalCount).toBe(2);
    expect(reviews?.edges.map((e) => e.node.comment)).toEqual(["Noisy.", "Perfect guest."]);

    const anonymous = await t.client.ok(GuestReviewsDocument, { id: guest.globalId });
    expect(anonymous.node && "reviews" in anonymous.node ? anonymous.node.reviews : "missing").toBeNull();
  });
});
