// Publishing reviews (the end of double-blind): when both sides of a stay have reviewed, or when
// its window closes. In the publishing transaction the listing's rating aggregates are recomputed
// from its published guest reviews and the reviewed party is notified; after commit the listing's
// cached page and every search page go (RATING and RELEVANCE sort on the aggregates). Category
// averages need no columns: Listing.rating reads them from the published rows (one batched query),
// so they follow the same commit.
import type { App } from "../../app.ts";
import type { Review } from "../../generated/prisma/client.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { readSnapshot } from "../bookings/snapshot.ts";
import { invalidateListingAfterCommit, lockListing } from "../listings/service.ts";
import { notify } from "../notifications/service.ts";
import { reviewWindowEnd } from "./window.ts";

export const PUBLISH_TASK = "reviews_publish";

/** One publication job per booking: both sides' reviews share it (a second review replaces it). */
export const publishJobKey = (bookingId: string): string => `reviews-publish:${bookingId}`;

/** Schedules the window-end publication of a booking's reviews, inside the reviewing transaction. */
export async function schedulePublication(effects: Effects, bookingId: string, at: Date): Promise<void> {
  await effects.addJob(
    PUBLISH_TASK,
    { bookingId },
    { runAt: at, jobKey: publishJobKey(bookingId), maxAttempts: 25 },
  );
}

/**
 * Average and count of the listing's published guest reviews, written onto the listing. Recomputed
 * rather than incremented, so a publication counted twice cannot drift; the caller holds the
 * listing's lock, so concurrent publications for one listing take turns and each sees the other.
 */
export async function recomputeListingRating(tx: Tx, listingId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE listings l
    SET rating_average = s.average, rating_count = s.count
    FROM (
      SELECT avg(rating)::float8 AS average, count(*)::int AS count
      FROM reviews
      WHERE listing_id = ${listingId}::uuid AND direction = 'GUEST_TO_HOST' AND published_at IS NOT NULL
        AND hidden_at IS NULL
    ) s
    WHERE l.id = ${listingId}::uuid`;
}

/**
 * Publishes the booking's reviews not yet published, inside the caller's transaction (which holds
 * the booking's lock). Returns those it published; none when there were none (safe to run twice).
 */
export async function publishBookingReviews(
  tx: Tx,
  effects: Effects,
  app: App,
  bookingId: string,
): Promise<Review[]> {
  const hidden = await tx.review.findMany({ where: { bookingId, publishedAt: null } });
  if (hidden.length === 0) return [];
  const guestReview = hidden.find((review) => review.direction === "GUEST_TO_HOST");
  // The listing lock first, so the recount below reads every publication committed before ours.
  if (guestReview) await lockListing(tx, guestReview.listingId);
  const publishedAt = app.clock.now();
  await tx.review.updateMany({
    where: { id: { in: hidden.map((review) => review.id) }, publishedAt: null },
    data: { publishedAt },
  });
  if (guestReview) await recomputeListingRating(tx, guestReview.listingId);
  const listing = await tx.listing.findUniqueOrThrow({
    where: { id: hidden[0]!.listingId },
    select: { id: true, title: true, lat: true, lng: true },
  });
  // A new rating moves the listing in relevance order and shows on its pages.
  if (guestReview) invalidateListingAfterCommit(effects, app, listing);
  // A review an admin hid before publication is published hidden: nobody is told of it.
  for (const review of hidden) {
    if (!review.hiddenAt) await notifyReviewed(tx, effects, app, review, listing.title);
  }
  return hidden.map((review) => ({ ...review, publishedAt }));
}

/** Tells the reviewed party (the host for a guest review, the guest for a host review). */
async function notifyReviewed(
  tx: Tx,
  effects: Effects,
  app: App,
  review: Review,
  listingTitle: string,
): Promise<void> {
  const author = await tx.user.findUniqueOrThrow({
    where: { id: review.authorId },
    select: { firstName: true },
  });
  const aboutListing = review.direction === "GUEST_TO_HOST";
  await notify(tx, effects, {
    userId: review.subjectId,
    type: "review.published",
    title: aboutListing ? "New review of your listing" : "Your host reviewed you",
    body: aboutListing
      ? `${author.firstName} rated their stay at ${listingTitle} ${review.rating} of 5.`
      : `${author.firstName} rated your stay at ${listingTitle} ${review.rating} of 5.`,
    data: { reviewId: review.id, listingId: review.listingId, bookingId: review.bookingId },
    link: aboutListing
      ? `${app.config.appUrl}/listings/${review.listingId}/reviews`
      : `${app.config.appUrl}/users/${review.subjectId}/reviews`,
    dedupeKey: `review:${review.id}:${review.subjectId}`,
  });
}

/**
 * The window-end job: publishes what is still hidden once the window has closed. Run early
 * (clocks differ), it comes back at the window's end; run twice, it finds nothing the second time.
 */
export async function publishDueReviews(app: App, bookingId: string): Promise<number> {
  return unitOfWork(app, async (tx, effects) => {
    await tx.$queryRaw`SELECT id FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`;
    const booking = await tx.booking.findUnique({ where: { id: bookingId }, select: { quote: true } });
    if (!booking) return 0;
    const closesAt = reviewWindowEnd(readSnapshot(booking.quote));
    if (closesAt > app.clock.now()) {
      await schedulePublication(effects, bookingId, closesAt);
      return 0;
    }
    return (await publishBookingReviews(tx, effects, app, bookingId)).length;
  });
}
