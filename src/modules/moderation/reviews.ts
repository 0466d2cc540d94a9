// Hiding a review: out of the listing's reviews and the reviewed user's, and out of the listing's
// rating (average and count, recomputed on the locked listing as publication does, so search's
// RATING and RELEVANCE orders follow). The listing's cached pages and the search pages around it
// go after commit. The review itself stays, for its author and admins, and in the audit log.
// Unhiding (a moderation mistake, an appeal upheld) is the same change backwards.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { invalidState, notFound } from "../../core/errors.ts";
import type { Review } from "../../generated/prisma/client.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { invalidateListingAfterCommit, lockListing } from "../listings/service.ts";
import { recomputeListingRating } from "../reviews/publish.ts";
import { recordAction } from "./audit.ts";

export function hideReview(
  actor: UserActor,
  input: { reviewId: string; reason: string },
  app: App,
): Promise<Review> {
  return setReviewHidden(actor, input, app, true);
}

export function unhideReview(
  actor: UserActor,
  input: { reviewId: string; reason: string },
  app: App,
): Promise<Review> {
  return setReviewHidden(actor, input, app, false);
}

async function setReviewHidden(
  actor: UserActor,
  input: { reviewId: string; reason: string },
  app: App,
  hide: boolean,
): Promise<Review> {
  return unitOfWork(app, async (tx, effects) => {
    const found = await tx.review.findUnique({ where: { id: input.reviewId }, select: { listingId: true } });
    if (!found) throw notFound("Review");
    // The listing's lock first, as publication takes it: the recount sees every other change.
    await lockListing(tx, found.listingId);
    await tx.$queryRaw`SELECT id FROM reviews WHERE id = ${input.reviewId}::uuid FOR UPDATE`;
    const review = await tx.review.findUniqueOrThrow({ where: { id: input.reviewId } });
    if (hide && review.hiddenAt) throw invalidState("The review is already hidden");
    if (!hide && !review.hiddenAt) throw invalidState("The review is not hidden");
    const before = await ratingOf(tx, review.listingId);
    const changed = await tx.review.update({
      where: { id: review.id },
      data: { hiddenAt: hide ? app.clock.now() : null },
    });
    // The recount takes published, visible reviews only: one unhidden before its publication
    // counts when it is published.
    if (review.direction === "GUEST_TO_HOST") await recomputeListingRating(tx, review.listingId);
    const listing = await tx.listing.findUniqueOrThrow({
      where: { id: review.listingId },
      select: { id: true, lat: true, lng: true, ratingAverage: true, ratingCount: true },
    });
    await recordAction(tx, actor, {
      action: hide ? "review.hidden" : "review.unhidden",
      entityType: "Review",
      entityId: review.id,
      reason: input.reason,
      before: { hiddenAt: review.hiddenAt?.toISOString() ?? null, listingRating: before },
      after: {
        hiddenAt: changed.hiddenAt?.toISOString() ?? null,
        listingRating: { average: listing.ratingAverage, count: listing.ratingCount },
      },
      extra: { listingId: review.listingId, authorId: review.authorId, direction: review.direction },
    });
    invalidateListingAfterCommit(effects, app, listing);
    // Pages showing the reviewed guest's reviews carry the guest's namespace.
    effects.afterCommit(() => app.cache.invalidate(listingCacheTags.user(review.subjectId)));
    return changed;
  });
}

async function ratingOf(tx: Tx, listingId: string) {
  const listing = await tx.listing.findUniqueOrThrow({
    where: { id: listingId },
    select: { ratingAverage: true, ratingCount: true },
  });
  return { average: listing.ratingAverage, count: listing.ratingCount };
}
