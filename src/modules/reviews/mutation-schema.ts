// Reviews in the schema, write side: createReview and respondToReview. Resolvers decode ids and
// call the use cases, which decide who may write what.
import { z } from "zod";
import type { Review } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules, textRule } from "../../graphql/validation.ts";
import { ReviewRef } from "./schema.ts";
import { REVIEW_WINDOW_DAYS } from "./window.ts";
import { createReview, REVIEW_COMMENT_MAX, REVIEW_RESPONSE_MAX, respondToReview } from "./write.ts";

const stars = z.number().int().min(1, "must be 1 to 5").max(5, "must be 1 to 5");

const ReviewCategoryRatingsInput = builder.inputType("ReviewCategoryRatingsInput", {
  description: "The guest's 1-5 ratings of the stay, all six required.",
  fields: (t) => ({
    cleanliness: t.int({ required: true }),
    accuracy: t.int({ required: true }),
    communication: t.int({ required: true }),
    location: t.int({ required: true }),
    checkIn: t.int({ required: true }),
    value: t.int({ required: true }),
  }),
});

const CreateReviewInput = builder.inputType("CreateReviewInput", {
  validate: inputRules({
    rating: stars,
    categoryRatings: z
      .looseObject({
        cleanliness: stars,
        accuracy: stars,
        communication: stars,
        location: stars,
        checkIn: stars,
        value: stars,
      })
      .nullish(),
    comment: textRule({ min: 1, max: REVIEW_COMMENT_MAX, multiline: true }),
  }),
  fields: (t) => ({
    bookingId: t.id({ required: true }),
    rating: t.int({ required: true, description: "Overall, 1 to 5." }),
    categoryRatings: t.field({
      type: ReviewCategoryRatingsInput,
      description: "Required from the guest; the host rates the guest overall only (leave it out).",
    }),
    comment: t.string({ required: true, description: `1 to ${REVIEW_COMMENT_MAX} characters.` }),
  }),
});

const RespondToReviewInput = builder.inputType("RespondToReviewInput", {
  validate: inputRules({ response: textRule({ min: 1, max: REVIEW_RESPONSE_MAX, multiline: true }) }),
  fields: (t) => ({
    reviewId: t.id({ required: true }),
    response: t.string({ required: true, description: `1 to ${REVIEW_RESPONSE_MAX} characters, public.` }),
  }),
});

const ReviewPayload = (name: string) =>
  builder.objectRef<{ review: Review }>(name).implement({
    fields: (t) => ({ review: t.field({ type: ReviewRef, resolve: (payload) => payload.review }) }),
  });

builder.mutationFields((t) => ({
  createReview: t.field({
    type: ReviewPayload("CreateReviewPayload"),
    description: `After a COMPLETED stay, the guest reviews the listing and the host the guest, once each, within ${REVIEW_WINDOW_DAYS} days of the listing-local check-out. Double-blind: the review stays visible to its author only until the other side has reviewed too (then both are published at once) or the window closes. INVALID_STATE before completion or after the window, CONFLICT for a second review.`,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CreateReviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      review: await createReview(
        requireActor(ctx),
        { ...input, bookingId: decodeIdOf("Booking", input.bookingId, "Booking") },
        ctx.app,
      ),
    }),
  }),
  respondToReview: t.field({
    type: ReviewPayload("RespondToReviewPayload"),
    description:
      "The listing's host answers a published guest review of it, once (CONFLICT after that). INVALID_STATE while the review is not published.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RespondToReviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      review: await respondToReview(
        requireActor(ctx),
        { ...input, reviewId: decodeIdOf("Review", input.reviewId, "Review") },
        ctx.app,
      ),
    }),
  }),
}));
