// Writing reviews: createReview (each side of a COMPLETED stay once, inside the window; double-blind
// until both have written or the window closes) and respondToReview (the listing's host answers a
// published guest review once). Each runs on the locked booking or review row; the database's
// unique (booking_id, direction) and a conditional update decide under concurrency.
import type { App } from "../../app.ts";
import { isAdmin, type UserActor } from "../../core/actor.ts";
import { AppError, badInput, forbidden, invalidState, notFound } from "../../core/errors.ts";
import type { Review } from "../../generated/prisma/client.ts";
import type { ReviewDirection } from "../../generated/prisma/enums.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import { partyOf } from "../bookings/lifecycle.ts";
import { readSnapshot } from "../bookings/snapshot.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { publishBookingReviews, publishJobKey, schedulePublication } from "./publish.ts";
import { isReviewWindowOpen, reviewWindowEnd } from "./window.ts";

export const REVIEW_COMMENT_MAX = 2_000;
export const REVIEW_RESPONSE_MAX = 1_000;

/** The guest's 1-5 ratings of the stay, each required on a guest review. */
export interface CategoryRatingsInput {
  cleanliness: number;
  accuracy: number;
  communication: number;
  location: number;
  checkIn: number;
  value: number;
}

export interface CreateReviewInput {
  bookingId: string;
  rating: number;
  /** Required from the guest; the host rates the guest overall only. */
  categoryRatings?: CategoryRatingsInput | null;
  comment: string;
}

const alreadyReviewed = new AppError("CONFLICT", "You have already reviewed this stay");
const alreadyAnswered = new AppError("CONFLICT", "This review already has a response");

function categoryIssues(direction: ReviewDirection, input: CreateReviewInput) {
  if (direction === "GUEST_TO_HOST" && !input.categoryRatings) {
    return [{ path: "categoryRatings", message: "is required from the guest" }];
  }
  if (direction === "HOST_TO_GUEST" && input.categoryRatings) {
    return [{ path: "categoryRatings", message: "only guests rate categories" }];
  }
  return [];
}

export async function createReview(actor: UserActor, input: CreateReviewInput, app: App): Promise<Review> {
  return unitOfWork(
    app,
    async (tx, effects) => {
      // The booking's lock serializes the two sides: the second to write sees the first and publishes both.
      await tx.$queryRaw`SELECT id FROM bookings WHERE id = ${input.bookingId}::uuid FOR UPDATE`;
      const booking = await tx.booking.findUnique({ where: { id: input.bookingId } });
      const party = booking ? partyOf(actor, booking) : "OTHER";
      if (!booking || party === "OTHER") throw notFound("Booking");
      if (party !== "GUEST" && party !== "HOST") throw forbidden("Only the guest and the host review a stay");
      const direction: ReviewDirection = party === "GUEST" ? "GUEST_TO_HOST" : "HOST_TO_GUEST";
      const issues = categoryIssues(direction, input);
      if (issues.length > 0) throw badInput(issues);
      if (booking.status !== "COMPLETED") throw invalidState("Reviews open once the stay is completed");
      const snapshot = readSnapshot(booking.quote);
      const closesAt = reviewWindowEnd(snapshot);
      if (!isReviewWindowOpen(snapshot, app.clock.now())) {
        throw invalidState(`The review window closed at ${closesAt.toISOString()}`);
      }
      const mine = { bookingId: booking.id, direction };
      if (await tx.review.findUnique({ where: { bookingId_direction: mine }, select: { id: true } })) {
        throw alreadyReviewed;
      }
      const categories = direction === "GUEST_TO_HOST" ? input.categoryRatings : null;
      const review = await tx.review.create({
        data: {
          ...mine,
          listingId: booking.listingId,
          authorId: actor.userId,
          subjectId: party === "GUEST" ? booking.hostId : booking.guestId,
          rating: input.rating,
          cleanliness: categories?.cleanliness ?? null,
          accuracy: categories?.accuracy ?? null,
          communication: categories?.communication ?? null,
          location: categories?.location ?? null,
          checkInRating: categories?.checkIn ?? null,
          value: categories?.value ?? null,
          comment: input.comment.trim(),
        },
      });
      const otherSide = await tx.review.count({
        where: { bookingId: booking.id, direction: { not: direction } },
      });
      if (otherSide === 0) {
        await schedulePublication(effects, booking.id, closesAt);
        return review;
      }
      // Both sides have written: both go public now, and the window-end job has nothing left to do.
      await publishBookingReviews(tx, effects, app, booking.id);
      await tx.$executeRaw`SELECT graphile_worker.remove_job(${publishJobKey(booking.id)})`;
      return tx.review.findUniqueOrThrow({ where: { id: review.id } });
    },
    { errors: { unique: alreadyReviewed } },
  );
}

export async function respondToReview(
  actor: UserActor,
  input: { reviewId: string; response: string },
  app: App,
): Promise<Review> {
  return unitOfWork(app, async (tx, effects) => {
    const review = await tx.review.findUnique({
      where: { id: input.reviewId },
      include: { listing: { select: { hostId: true } } },
    });
    if (!review) throw notFound("Review");
    const answersOwnListing = review.direction === "GUEST_TO_HOST" && review.listing.hostId === actor.userId;
    if (!answersOwnListing) {
      // Others who may see it are told no; to anyone else an unpublished review does not exist.
      const visible =
        (review.publishedAt !== null && review.hiddenAt === null) ||
        review.authorId === actor.userId ||
        isAdmin(actor);
      throw visible ? forbidden("Only the listing's host answers its guest reviews") : notFound("Review");
    }
    if (!review.publishedAt) throw invalidState("The review is not published yet");
    if (review.hiddenAt) throw invalidState("The review was hidden by Roost");
    // Conditional, so two answers racing leave exactly one.
    const answered = await tx.review.updateMany({
      where: { id: review.id, response: null },
      data: { response: input.response.trim(), respondedAt: app.clock.now() },
    });
    if (answered.count === 0) throw alreadyAnswered;
    effects.afterCommit(() => app.cache.invalidate(listingCacheTags.listing(review.listingId)));
    return tx.review.findUniqueOrThrow({ where: { id: review.id } });
  });
}
