// Moderation in the schema, admin side: suspending and reinstating listings and users, hiding
// reviews and refunding bookings (the audit log: audit-schema.ts; reports: report-schema.ts).
// Every field here declares the `admin` scope, so anyone else is refused before an id is even
// decoded: UNAUTHENTICATED without a token, FORBIDDEN for guests and hosts (the operations are
// public in the schema; refusing them leaks nothing).
import { z } from "zod";
import type { Booking, Review, User } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules } from "../../graphql/validation.ts";
import { validateIdempotencyKey } from "../../infra/idempotency.ts";
import { UserRef } from "../accounts/schema.ts";
import { BookingRef } from "../bookings/schema.ts";
import { ListingPayload } from "../listings/schema.ts";
import { ReviewRef } from "../reviews/schema.ts";
import { reinstateListing, suspendListing } from "./listings.ts";
import { refundBooking } from "./refunds.ts";
import { hideReview, unhideReview } from "./reviews.ts";
import { reinstateUser, suspendUser } from "./users.ts";
import { REASON_MAX, reasonRule } from "./validation.ts";

const reasonField = `Why, for the audit log (1 to ${REASON_MAX} characters; not shown to users).`;

const reasonRules = inputRules({ reason: reasonRule });

const SuspendListingInput = builder.inputType("SuspendListingInput", {
  validate: reasonRules,
  fields: (t) => ({
    listingId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonField }),
  }),
});
const ReinstateListingInput = builder.inputType("ReinstateListingInput", {
  validate: reasonRules,
  fields: (t) => ({
    listingId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonField }),
  }),
});
const SuspendUserInput = builder.inputType("SuspendUserInput", {
  validate: reasonRules,
  fields: (t) => ({
    userId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonField }),
  }),
});
const ReinstateUserInput = builder.inputType("ReinstateUserInput", {
  validate: reasonRules,
  fields: (t) => ({
    userId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonField }),
  }),
});
const HideReviewInput = builder.inputType("HideReviewInput", {
  validate: reasonRules,
  fields: (t) => ({
    reviewId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonField }),
  }),
});

const UnhideReviewInput = builder.inputType("UnhideReviewInput", {
  validate: reasonRules,
  fields: (t) => ({
    reviewId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonField }),
  }),
});

const RefundBookingInput = builder.inputType("RefundBookingInput", {
  validate: inputRules({
    amount: z.number().int().positive("must be positive").nullish(),
    reason: reasonRule,
  }),
  fields: (t) => ({
    bookingId: t.id({ required: true }),
    amount: t.int({
      description:
        "Minor units of the booking's currency; at most what is left to refund. Omitted: all of it.",
    }),
    reason: t.string({ required: true, description: reasonField }),
    idempotencyKey: t.string({
      required: true,
      description: "A client-chosen key (up to 255 characters): a retry with it refunds nothing more.",
    }),
  }),
});

const UserPayload = (name: string) =>
  builder.objectRef<{ user: User }>(name).implement({
    fields: (t) => ({ user: t.field({ type: UserRef, resolve: (payload) => payload.user }) }),
  });

const ReviewPayload = (name: string) =>
  builder.objectRef<{ review: Review }>(name).implement({
    fields: (t) => ({ review: t.field({ type: ReviewRef, resolve: (payload) => payload.review }) }),
  });

const RefundBookingPayload = builder.objectRef<{ booking: Booking }>("RefundBookingPayload").implement({
  fields: (t) => ({ booking: t.field({ type: BookingRef, resolve: (payload) => payload.booking }) }),
});

builder.mutationFields((t) => ({
  suspendListing: t.field({
    type: ListingPayload("SuspendListingPayload"),
    description:
      "Admins only. SUSPENDED: out of search and listing pages for everyone but its host and admins, no new bookings or quotes (INVALID_STATE); bookings already made stand. Its host and the guests of its upcoming bookings are told. INVALID_STATE when it already is.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: SuspendListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await suspendListing(
        requireActor(ctx),
        { listingId: decodeIdOf("Listing", input.listingId, "Listing"), reason: input.reason.trim() },
        ctx.app,
      ),
    }),
  }),
  reinstateListing: t.field({
    type: ListingPayload("ReinstateListingPayload"),
    description:
      "Admins only. Lifts a suspendListing: back to the status it had (DRAFT, LISTED or UNLISTED; UNLISTED if it no longer has what publishing needs). It stays SUSPENDED while its host is suspended. INVALID_STATE when it was not suspended by suspendListing.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ReinstateListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await reinstateListing(
        requireActor(ctx),
        { listingId: decodeIdOf("Listing", input.listingId, "Listing"), reason: input.reason.trim() },
        ctx.app,
      ),
    }),
  }),
  suspendUser: t.field({
    type: UserPayload("SuspendUserPayload"),
    description:
      "Admins only. Signs the user out everywhere at once (their access tokens fail on the next request), refuses their log-ins (FORBIDDEN) and suspends their listings with them. BAD_USER_INPUT for yourself, INVALID_STATE when already suspended.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: SuspendUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      user: await suspendUser(
        requireActor(ctx),
        { userId: decodeIdOf("User", input.userId, "User"), reason: input.reason.trim() },
        ctx.app,
      ),
    }),
  }),
  reinstateUser: t.field({
    type: UserPayload("ReinstateUserPayload"),
    description:
      "Admins only. The user may log in again, and the listings suspended with them return to the status each had (those suspended by suspendListing stay suspended). INVALID_STATE when not suspended.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ReinstateUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      user: await reinstateUser(
        requireActor(ctx),
        { userId: decodeIdOf("User", input.userId, "User"), reason: input.reason.trim() },
        ctx.app,
      ),
    }),
  }),
  hideReview: t.field({
    type: ReviewPayload("HideReviewPayload"),
    description:
      "Admins only. The review leaves the listing's reviews and rating (and the guest's reviews); its author and admins still see it. INVALID_STATE when already hidden.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: HideReviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      review: await hideReview(
        requireActor(ctx),
        { reviewId: decodeIdOf("Review", input.reviewId, "Review"), reason: input.reason.trim() },
        ctx.app,
      ),
    }),
  }),
  unhideReview: t.field({
    type: ReviewPayload("UnhideReviewPayload"),
    description:
      "Admins only. Undoes hideReview: the review is back in the listing's reviews and rating once published (and in the guest's reviews). INVALID_STATE when not hidden.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: UnhideReviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      review: await unhideReview(
        requireActor(ctx),
        { reviewId: decodeIdOf("Review", input.reviewId, "Review"), reason: input.reason.trim() },
        ctx.app,
      ),
    }),
  }),
  refundBooking: t.field({
    type: RefundBookingPayload,
    description:
      "Admins only. Refunds the guest, whatever the booking's state: `amount` minor units, or everything left to refund. The host's scheduled payout shrinks to match. BAD_USER_INPUT past what is refundable, INVALID_STATE when nothing was captured or all is refunded; a retry with the same idempotencyKey refunds nothing more.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: RefundBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await refundBooking(
        requireActor(ctx),
        {
          bookingId: decodeIdOf("Booking", input.bookingId, "Booking"),
          amount: input.amount,
          reason: input.reason.trim(),
          idempotencyKey: validateIdempotencyKey(input.idempotencyKey),
        },
        ctx.app,
      ),
    }),
  }),
}));

// ─── What admins see beside ─────────────────────────────────────────────────

builder.prismaObjectField(UserRef, "suspendedAt", (t) =>
  t.expose("suspendedAt", {
    type: "DateTime",
    nullable: true,
    description: "When an admin suspended the user; null while not suspended, and for all but admins.",
    authScopes: { admin: true },
    unauthorizedResolver: () => null,
  }),
);

builder.prismaObjectField(ReviewRef, "hiddenAt", (t) =>
  t.expose("hiddenAt", {
    type: "DateTime",
    nullable: true,
    description: "When an admin hid the review (only its author and admins still see it).",
  }),
);
