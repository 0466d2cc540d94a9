// Rating aggregates follow each publication at once: reviews are published one by one and after
// each the listings' Listing.rating (average, count, category averages) and the RATING and
// RELEVANCE search orders are read again, through the same caches a visitor's requests use.
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchListingsDocument } from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import { PUBLISH_TASK } from "../../../src/modules/reviews/publish.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";
import {
  completedStay,
  guestReviewInput,
  listingReviews,
  type ReviewedStay,
  reviewBothSides,
  reviewOk,
} from "../../helpers/reviews.ts";

const clock = new ManualClock(new Date("2027-03-20T12:00:00Z"));
const near = { lat: 38.7223, lng: -9.1393, radiusKm: 5 };
let t: TestApp;
let runner: Runner;
let host: TestUser;
const listings: Record<"A" | "B" | "C", Listing> = {} as Record<"A" | "B" | "C", Listing>;

beforeAll(async () => {
  t = await startTestApp({ clock });
  runner = await t.startWorker();
  host = await factories(t).user().host().create();
  // Oldest first: with equal relevance the newest listing comes first.
  for (const [i, name] of (["A", "B", "C"] as const).entries()) {
    listings[name] = await factories(t)
      .listing(host)
      .listed()
      .with({ title: name, lat: near.lat, lng: near.lng, createdAt: new Date(Date.UTC(2027, 0, 1 + i)) })
      .create();
  }
});
afterAll(() => t.close());

async function stayAt(name: "A" | "B" | "C"): Promise<ReviewedStay> {
  const guest = await factories(t).user().create();
  return completedStay(
    t,
    { host, guest, listing: listings[name] },
    { checkIn: "2027-03-05", checkOut: "2027-03-10" },
  );
}

async function searchOrder(sort: "RATING" | "RELEVANCE"): Promise<string[]> {
  const data = await t.client.ok(SearchListingsDocument, { filter: { near }, sort, first: 10 });
  return data.searchListings.edges.map((edge) => edge.node.title);
}

const ratingOf = async (name: "A" | "B" | "C") => (await listingReviews(t, listings[name])).rating;

const stars = (n: number) => ({
  cleanliness: n,
  accuracy: n,
  communication: n,
  location: n,
  checkIn: n,
  value: n,
});

describe("aggregates after each publication", () => {
  it("moves Listing.rating and the RATING and RELEVANCE orders with every published guest review", async () => {
    // Read everything once first, so every later read has a cached answer to get past.
    expect(await searchOrder("RELEVANCE")).toEqual(["C", "B", "A"]);
    await searchOrder("RATING");
    for (const name of ["A", "B", "C"] as const) expect(await ratingOf(name)).toBeNull();

    // 1. A: one 5. Relevance (5 + 3*4) / 4 = 4.25 against 4 for the unrated.
    await reviewBothSides(await stayAt("A"), 5, 1);
    expect(await ratingOf("A")).toEqual({ average: 5, count: 1, ...stars(5) });
    expect(await searchOrder("RELEVANCE")).toEqual(["A", "C", "B"]);
    expect((await searchOrder("RATING"))[0]).toBe("A");

    // 2. B: one 4, cleanliness 3. Relevance 4, tied with unrated C, which is newer.
    const b1 = await stayAt("B");
    await reviewOk(b1.guest, guestReviewInput(b1, 4, { categoryRatings: { ...stars(4), cleanliness: 3 } }));
    await reviewOk(host, { bookingId: b1.bookingId, rating: 2, comment: "Left a mess." });
    expect(await ratingOf("B")).toEqual({ average: 4, count: 1, ...stars(4), cleanliness: 3 });
    expect(await searchOrder("RELEVANCE")).toEqual(["A", "C", "B"]);
    expect(await searchOrder("RATING")).toEqual(["A", "B", "C"]);

    // 3. B: a 5 more. Average 4.5 of 2, relevance (9 + 12) / 5 = 4.2.
    await reviewBothSides(await stayAt("B"), 5);
    expect(await ratingOf("B")).toEqual({ average: 4.5, count: 2, ...stars(4.5), cleanliness: 4 });
    expect(await searchOrder("RELEVANCE")).toEqual(["A", "B", "C"]);
    expect(await searchOrder("RATING")).toEqual(["A", "B", "C"]);

    // 4. A: a 1. Average 3 of 2, relevance 3.6: last.
    await reviewBothSides(await stayAt("A"), 1);
    expect(await ratingOf("A")).toEqual({ average: 3, count: 2, ...stars(3) });
    expect(await searchOrder("RELEVANCE")).toEqual(["B", "C", "A"]);
    expect(await searchOrder("RATING")).toEqual(["B", "A", "C"]);

    // 5. C: a 5 the host never answers with a review of their own: hidden until the window closes.
    const c1 = await stayAt("C");
    await reviewOk(c1.guest, guestReviewInput(c1, 5));
    expect(await ratingOf("C")).toBeNull();
    expect(await searchOrder("RATING")).toEqual(["B", "A", "C"]);
    clock.set(new Date("2027-03-24T11:00:00Z"));
    const published = jobsCompleted(runner, 1, (job) => job.task_identifier === PUBLISH_TASK);
    await addJob(t.app.db, PUBLISH_TASK, { bookingId: c1.bookingRawId });
    await published;
    expect(await ratingOf("C")).toEqual({ average: 5, count: 1, ...stars(5) });
    expect(await searchOrder("RELEVANCE")).toEqual(["C", "B", "A"]);
    expect(await searchOrder("RATING")).toEqual(["C", "B", "A"]);

    // Host reviews of guests never count toward a listing.
    const rows = await t.app.db.listing.findMany({
      orderBy: { title: "asc" },
      select: { ratingCount: true },
    });
    expect(rows.map((r) => r.ratingCount)).toEqual([2, 2, 1]);
  });
});
