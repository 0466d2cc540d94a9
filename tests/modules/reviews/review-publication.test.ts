// Double-blind: a review is seen by its author alone until the other side has reviewed (both are
// then published at once) or the window closes (the window-end job publishes it, once, however
// often it runs). Publication notifies the reviewed party.
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GuestReviewsDocument, ReviewDocument } from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import { PUBLISH_TASK, publishJobKey } from "../../../src/modules/reviews/publish.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, type GraphQLClient } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { jobsCompleted, queuedJobs } from "../../helpers/jobs.ts";
import {
  completedStay,
  guestReviewInput,
  hostReviewInput,
  listingReviews,
  type ReviewedStay,
  reviewOk,
} from "../../helpers/reviews.ts";
import { rawId as rawIdOf } from "../../helpers/bookings.ts";

// Stays end on the 10th at 11:00 UTC, so windows close on the 24th at 11:00.
const clock = new ManualClock(new Date("2027-03-20T12:00:00Z"));
const WINDOW_END = new Date("2027-03-24T11:00:00Z");
let t: TestApp;
let runner: Runner;
let host: TestUser;
let listing: Listing;

beforeAll(async () => {
  t = await startTestApp({ clock });
  runner = await t.startWorker();
  host = await factories(t).user().named("Hana", "Host").host().create();
  listing = await factories(t).listing(host).listed().with({ title: "Quiet Loft" }).create();
});
afterAll(() => t.close());

async function stay(): Promise<ReviewedStay> {
  const guest = await factories(t).user().named("Gus", "Guest").create();
  return completedStay(t, { host, guest, listing }, { checkIn: "2027-03-05", checkOut: "2027-03-10" });
}

const readReview = (client: GraphQLClient, id: string) => client.request(ReviewDocument, { id });

async function guestReviews(viewer: TestUser, guest: TestUser) {
  const data = await viewer.client.ok(GuestReviewsDocument, { id: guest.globalId });
  return data.node && "reviews" in data.node ? data.node.reviews : undefined;
}

/** Runs the window-end job for the booking now, twice over, through the worker. */
async function runPublishTwice(bookingId: string): Promise<void> {
  const payload = { bookingId };
  const done = jobsCompleted(
    runner,
    2,
    (job) => job.task_identifier === PUBLISH_TASK && JSON.stringify(job.payload) === JSON.stringify(payload),
  );
  await addJob(t.app.db, PUBLISH_TASK, payload);
  await addJob(t.app.db, PUBLISH_TASK, payload);
  await done;
}

const notices = (userId: string) =>
  t.app.db.notification.findMany({
    where: { userId, type: "review.published" },
    orderBy: { createdAt: "asc" },
  });

describe("before both sides have reviewed", () => {
  it("shows a review to its author only, and counts it nowhere", async () => {
    const s = await stay();
    const review = await reviewOk(s.guest, guestReviewInput(s, 2));
    expect(review.publishedAt).toBeNull();

    expect((await s.guest.client.ok(ReviewDocument, { id: review.id })).node).toMatchObject({ rating: 2 });
    for (const other of [host.client, t.client, (await factories(t).user().create()).client]) {
      expect(codeOf(await readReview(other, review.id))).toBe("NOT_FOUND");
    }
    const seen = await listingReviews(t, listing);
    expect(seen.reviews.edges.map((e) => e.node.id)).not.toContain(review.id);
    expect(await t.app.db.listing.findUniqueOrThrow({ where: { id: listing.id } })).toMatchObject({
      ratingCount: 0,
      ratingAverage: null,
    });
    expect(await notices(host.id)).toEqual([]);
  });

  it("keeps the host's review of the guest out of User.reviews and hidden from the guest", async () => {
    const s = await stay();
    const review = await reviewOk(host, hostReviewInput(s, 3));
    expect(codeOf(await readReview(s.guest.client, review.id))).toBe("NOT_FOUND");
    expect((await guestReviews(host, s.guest))?.totalCount).toBe(0);
  });

  it("schedules the publication for the window's end, one job per booking", async () => {
    const s = await stay();
    await reviewOk(s.guest, guestReviewInput(s, 4));
    const jobs = (await queuedJobs(t.app.db, PUBLISH_TASK)).filter(
      (j) => j.key === publishJobKey(s.bookingRawId),
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.runAt).toEqual(WINDOW_END);
  });
});

describe("when the second side reviews", () => {
  it("publishes both reviews at once, notifies each reviewed party and drops the window-end job", async () => {
    const s = await stay();
    const guestsReview = await reviewOk(s.guest, guestReviewInput(s, 4));
    clock.advance(60_000);
    const hostsReview = await reviewOk(host, hostReviewInput(s, 5, { comment: "Tidy and kind." }));
    const publishedAt = clock.now().toISOString();
    expect(hostsReview.publishedAt).toBe(publishedAt);

    const guestsNow = (await t.client.ok(ReviewDocument, { id: guestsReview.id })).node;
    expect(guestsNow).toMatchObject({ rating: 4, publishedAt });
    const seen = await listingReviews(t, listing);
    expect(seen.reviews.edges.map((e) => e.node.id)).toContain(guestsReview.id);
    expect(seen.reviews.edges.map((e) => e.node.id)).not.toContain(hostsReview.id);

    const aboutGuest = await guestReviews(host, s.guest);
    expect(aboutGuest?.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        id: hostsReview.id,
        comment: "Tidy and kind.",
        author: { id: host.globalId, firstName: "Hana" },
      }),
    ]);

    const hostNotices = await notices(host.id);
    expect(hostNotices.map((n) => [n.dedupeKey, n.title])).toContainEqual([
      `review:${rawIdOf(guestsReview.id)}:${host.id}`,
      "New review of your listing",
    ]);
    expect(hostNotices.at(-1)?.body).toBe("Gus rated their stay at Quiet Loft 4 of 5.");
    expect((await notices(s.guest.id)).map((n) => [n.dedupeKey, n.body])).toEqual([
      [`review:${rawIdOf(hostsReview.id)}:${s.guest.id}`, "Hana rated your stay at Quiet Loft 5 of 5."],
    ]);
    const jobs = await queuedJobs(t.app.db, PUBLISH_TASK);
    expect(jobs.filter((j) => j.key === publishJobKey(s.bookingRawId))).toEqual([]);
  });
});

describe("the window-end job", () => {
  it("does nothing before the window closes, then publishes once however often it runs", async () => {
    const s = await stay();
    const review = await reviewOk(s.guest, guestReviewInput(s, 3));
    await runPublishTwice(s.bookingRawId);
    expect(
      (await t.app.db.review.findUniqueOrThrow({ where: { id: rawIdOf(review.id) } })).publishedAt,
    ).toBeNull();
    // Run early, it came back for the window's end.
    const requeued = (await queuedJobs(t.app.db, PUBLISH_TASK)).filter(
      (j) => j.key === publishJobKey(s.bookingRawId),
    );
    expect(requeued.map((j) => j.runAt)).toEqual([WINDOW_END]);

    const before = clock.now();
    clock.set(WINDOW_END);
    try {
      await runPublishTwice(s.bookingRawId);
      const row = await t.app.db.review.findUniqueOrThrow({ where: { id: rawIdOf(review.id) } });
      expect(row.publishedAt).toEqual(WINDOW_END);
      expect((await t.client.ok(ReviewDocument, { id: review.id })).node).toMatchObject({ rating: 3 });
      const mine = (await notices(host.id)).filter((n) => n.dedupeKey === `review:${row.id}:${host.id}`);
      expect(mine).toHaveLength(1);
    } finally {
      clock.set(before);
    }
  });
});
