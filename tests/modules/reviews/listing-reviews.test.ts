// The read side of reviews as search results show them: Listing.rating, Listing.reviews and the
// Review node (published reviews are public; unpublished ones only for their author).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { insertBookingRow } from "../../helpers/booking-rows.ts";

let t: TestApp;
let host: TestUser;
let guest: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().host().create();
  guest = await factories(t).user().named("Rita", "Reviewer").create();
});
afterAll(() => t.close());

interface ReviewData {
  rating: number;
  publishedAt?: Date | null;
  direction?: "GUEST_TO_HOST" | "HOST_TO_GUEST";
  cleanliness?: number | null;
  checkInRating?: number | null;
  value?: number | null;
  response?: string;
}

async function review(listing: Listing, data: ReviewData) {
  const booking = await insertBookingRow(t, {
    listing,
    guest,
    checkIn: "2026-05-01",
    checkOut: "2026-05-03",
    status: "COMPLETED",
  });
  const { direction = "GUEST_TO_HOST", publishedAt = new Date("2026-06-01T00:00:00Z"), ...rest } = data;
  return t.app.db.review.create({
    data: {
      bookingId: booking.id,
      listingId: listing.id,
      authorId: direction === "GUEST_TO_HOST" ? guest.id : host.id,
      subjectId: direction === "GUEST_TO_HOST" ? host.id : guest.id,
      direction,
      comment: `Rated ${data.rating}`,
      publishedAt,
      respondedAt: data.response ? new Date("2026-06-02T00:00:00Z") : null,
      ...rest,
    },
  });
}

const LISTING_REVIEWS = `query ListingReviews($id: ID!, $first: Int, $after: String) {
  listing(id: $id) {
    rating { average count cleanliness accuracy communication location checkIn value }
    reviews(first: $first, after: $after) {
      totalCount
      edges { cursor node { id rating comment response respondedAt createdAt
        categoryRatings { cleanliness accuracy communication location checkIn value }
        author { id firstName } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface ListingReviewsData {
  listing: {
    rating: Record<string, number | null> | null;
    reviews: {
      totalCount: number;
      edges: Array<{
        node: {
          id: string;
          rating: number;
          comment: string;
          response: string | null;
          categoryRatings: Record<string, number | null>;
          author: { id: string; firstName: string };
        };
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const readListing = (listing: Listing, vars: { first?: number; after?: string | null } = {}) =>
  t.client.ok<ListingReviewsData, Record<string, unknown>>(LISTING_REVIEWS, {
    id: encodeGlobalId("Listing", listing.id),
    ...vars,
  });

describe("Listing.rating", () => {
  it("is null without published guest reviews", async () => {
    const listing = await factories(t).listing(host).listed().create();
    await review(listing, { rating: 5, publishedAt: null });
    await review(listing, { rating: 5, direction: "HOST_TO_GUEST" });
    expect((await readListing(listing)).listing.rating).toBeNull();
  });

  it("carries the listing's average and count, and category averages of published guest reviews only", async () => {
    const listing = await factories(t)
      .listing(host)
      .listed()
      .with({ ratingAverage: 4.5, ratingCount: 2 })
      .create();
    await review(listing, { rating: 5, cleanliness: 5, checkInRating: 4 });
    await review(listing, { rating: 4, cleanliness: 4, checkInRating: null });
    await review(listing, { rating: 1, cleanliness: 1, publishedAt: null });
    await review(listing, {
      rating: 1,
      cleanliness: 1,
      direction: "HOST_TO_GUEST",
    });
    expect((await readListing(listing)).listing.rating).toEqual({
      average: 4.5,
      count: 2,
      cleanliness: 4.5,
      accuracy: null,
      communication: null,
      location: null,
      checkIn: 4,
      value: null,
    });
  });
});

describe("Listing.reviews", () => {
  it("lists published guest reviews newest first, page by page, with their authors", async () => {
    const listing = await factories(t).listing(host).listed().create();
    const day = (d: number) => new Date(Date.UTC(2026, 6, d));
    const made = [];
    for (const [rating, d] of [
      [3, 1],
      [5, 3],
      [4, 2],
      [2, 4],
    ] as const) {
      made.push(
        await review(listing, {
          rating,
          publishedAt: day(d),
          value: rating,
          response: rating === 5 ? "Thanks!" : undefined,
        }),
      );
    }
    await review(listing, { rating: 1, publishedAt: null });
    await review(listing, { rating: 1, direction: "HOST_TO_GUEST" });

    const first = (await readListing(listing, { first: 3 })).listing.reviews;
    expect(first.totalCount).toBe(4);
    expect(first.edges.map((e) => e.node.rating)).toEqual([2, 5, 4]);
    expect(first.edges[1]?.node).toMatchObject({
      comment: "Rated 5",
      response: "Thanks!",
      categoryRatings: { value: 5, cleanliness: null },
      author: { id: guest.globalId, firstName: "Rita" },
    });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await readListing(listing, { first: 3, after: first.pageInfo.endCursor })).listing.reviews;
    expect(rest.edges.map((e) => e.node.rating)).toEqual([3]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...first.edges, ...rest.edges].map((e) => e.node.id))).toEqual(
      new Set(made.map((r) => encodeGlobalId("Review", r.id))),
    );
  });
});

describe("Review node", () => {
  const NODE = `query ReviewNode($id: ID!) { node(id: $id) { id ... on Review { rating comment } } }`;

  it("a published review is public; an unpublished one only for its author", async () => {
    const listing = await factories(t).listing(host).listed().create();
    const published = await review(listing, { rating: 4 });
    const hidden = await review(listing, { rating: 2, publishedAt: null });

    const seen = await t.client.ok<{ node: { rating: number } }, { id: string }>(NODE, {
      id: encodeGlobalId("Review", published.id),
    });
    expect(seen.node.rating).toBe(4);

    const id = encodeGlobalId("Review", hidden.id);
    expect(codeOf(await t.client.request(NODE, { id }))).toBe("NOT_FOUND");
    expect(codeOf(await host.client.request(NODE, { id }))).toBe("NOT_FOUND");
    const own = await guest.client.ok<{ node: { rating: number } }, { id: string }>(NODE, { id });
    expect(own.node.rating).toBe(2);
  });
});
