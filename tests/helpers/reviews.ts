// Review fixtures shared by the review tests: a COMPLETED stay (a booking row with a real snapshot,
// time zone UTC, check-out 11:00), review inputs as each side writes them, and calls through the API.
import {
  CreateReviewDocument,
  type CreateReviewInput,
  ListingReviewsDocument,
  RespondToReviewDocument,
} from "../../schema/generated/graphql.ts";
import type { Listing } from "../../src/generated/prisma/client.ts";
import type { BookingStatus } from "../../src/generated/prisma/enums.ts";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import type { TestApp } from "./app.ts";
import { insertBookingRow } from "./booking-rows.ts";
import type { TestUser } from "./factories.ts";

export interface ReviewedStay {
  host: TestUser;
  guest: TestUser;
  listing: Listing;
  /** The booking's raw id and Relay id. */
  bookingRawId: string;
  bookingId: string;
}

/** A stay of the guest at the listing, COMPLETED unless status says otherwise. */
export async function completedStay(
  t: TestApp,
  parties: { host: TestUser; guest: TestUser; listing: Listing },
  dates: { checkIn: string; checkOut: string },
  status: BookingStatus = "COMPLETED",
): Promise<ReviewedStay> {
  const booking = await insertBookingRow(t, { ...parties, ...dates, status });
  return { ...parties, bookingRawId: booking.id, bookingId: encodeGlobalId("Booking", booking.id) };
}

const allStars = (n: number) => ({
  cleanliness: n,
  accuracy: n,
  communication: n,
  location: n,
  checkIn: n,
  value: n,
});

/** The guest's review: overall `rating`, every category at `rating` unless given. */
export const guestReviewInput = (
  stay: Pick<ReviewedStay, "bookingId">,
  rating: number,
  extra: Partial<CreateReviewInput> = {},
): CreateReviewInput => ({
  bookingId: stay.bookingId,
  rating,
  categoryRatings: allStars(rating),
  comment: `A ${rating}-star stay.`,
  ...extra,
});

/** The host's review of the guest: overall only. */
export const hostReviewInput = (
  stay: Pick<ReviewedStay, "bookingId">,
  rating: number,
  extra: Partial<CreateReviewInput> = {},
): CreateReviewInput => ({
  bookingId: stay.bookingId,
  rating,
  comment: `A ${rating}-star guest.`,
  ...extra,
});

export const writeReview = (author: TestUser, input: CreateReviewInput) =>
  author.client.request(CreateReviewDocument, { input });

/** Writes the review; the test fails on any error. */
export async function reviewOk(author: TestUser, input: CreateReviewInput) {
  return (await author.client.ok(CreateReviewDocument, { input })).createReview.review;
}

/** Both sides review the stay, so both reviews are published at once; returns the guest's review. */
export async function reviewBothSides(stay: ReviewedStay, guestRating: number, hostRating = 5) {
  const review = await reviewOk(stay.guest, guestReviewInput(stay, guestRating));
  await reviewOk(stay.host, hostReviewInput(stay, hostRating));
  return review;
}

export const respond = (host: TestUser, reviewId: string, response: string) =>
  host.client.request(RespondToReviewDocument, { input: { reviewId, response } });

/** The listing's rating and reviews as an anonymous visitor reads them. */
export async function listingReviews(t: TestApp, listing: Listing) {
  const data = await t.client.ok(ListingReviewsDocument, { id: encodeGlobalId("Listing", listing.id) });
  if (!data.listing) throw new Error("listing not visible");
  return data.listing;
}
