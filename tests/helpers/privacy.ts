// A user with data of every kind Roost stores about a person, made through the API as a client
// would (stays in the past as booking rows): a profile, a listing with photos, blocks and prices,
// bookings as guest (paid, cancelled, refunded) and as host (paid, payout scheduled), reviews
// written and received, a conversation, a wishlist and notifications. Every text they wrote is a
// distinct marker, so a test can look for it anywhere.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import {
  AddCalendarImportDocument,
  AddToWishlistDocument,
  CancelBookingDocument,
  CreateWishlistDocument,
  ReportListingDocument,
  RespondToReviewDocument,
  SetAvailabilityDocument,
  UpdateProfileDocument,
} from "../../schema/generated/graphql.ts";
import type { Listing } from "../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import type { TestApp } from "./app.ts";
import { book, bookingInput } from "./bookings.ts";
import { factories, type TestUser } from "./factories.ts";
import { inquire, reply } from "./messaging.ts";
import { completedStay, guestReviewInput, hostReviewInput, reviewOk } from "./reviews.ts";

/** YYYY-MM-DD, `offset` days from today (UTC). */
export const dayFromToday = (offset: number): string =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export interface PersonWithData {
  user: TestUser;
  firstName: string;
  lastName: string;
  phone: string;
  /** Another host, whose listing the user stayed at, booked and asked about. */
  host: TestUser;
  /** Another guest, who stayed at and booked the user's listing. */
  guest: TestUser;
  ownListing: Listing;
  hostListing: Listing;
  /** Relay ids. */
  conversationId: string;
  bookingAsGuestId: string;
  bookingAsHostId: string;
  /** Texts the user wrote that are theirs alone (a deletion erases them). */
  theirs: {
    bio: string;
    avatarUrl: string;
    inquiry: string;
    bookingNote: string;
    cancelReason: string;
    response: string;
    wishlistName: string;
    reportReason: string;
    calendarImportUrl: string;
  };
  /** Texts that stay after a deletion: reviews they wrote, and what others wrote. */
  kept: {
    reviewOfListing: string;
    reviewOfGuest: string;
    hostReply: string;
    receivedReview: string;
    guestReview: string;
    hiddenReview: string;
  };
}

const listingGid = (listing: { id: string }) => encodeGlobalId("Listing", listing.id);

export async function personWithData(
  t: TestApp,
  name: { firstName: string; lastName: string },
): Promise<PersonWithData> {
  const make = factories(t);
  const tag = randomBytes(4).toString("hex");
  const marker = (what: string) => `${what}-${tag}`;
  const digits = String(randomInt(100_000, 1_000_000));
  const phone = `+351 912 ${digits.slice(0, 3)} ${digits.slice(3)}`;
  const [user, host, guest] = await Promise.all([
    make
      .user()
      .named(name.firstName, name.lastName)
      .withEmail(`${name.firstName.toLowerCase()}.${tag}@example.test`)
      .create(),
    make.user().named("Hester", "Hostwell").create(),
    make.user().named("Gideon", "Guestford").create(),
  ]);
  const theirs = {
    bio: `${marker("bio")}: call me on ${phone}`,
    avatarUrl: `https://images.example.test/${marker("avatar")}.jpg`,
    inquiry: marker("inquiry"),
    bookingNote: marker("booking-note"),
    cancelReason: marker("cancel-reason"),
    response: marker("review-response"),
    wishlistName: marker("wishlist"),
    reportReason: marker("report-reason"),
    calendarImportUrl: `https://calendars.example.test/${marker("calendar-import")}.ics`,
  };
  const kept = {
    reviewOfListing: marker("review-of-listing"),
    reviewOfGuest: marker("review-of-guest"),
    hostReply: marker("host-reply"),
    receivedReview: marker("received-review"),
    guestReview: marker("guest-review"),
    hiddenReview: marker("hidden-review"),
  };

  await user.client.ok(UpdateProfileDocument, { input: { bio: theirs.bio, avatarUrl: theirs.avatarUrl } });
  const ownListing = await make.listing(user).listed().photos(2).with({ instantBook: true }).create();
  await user.client.ok(SetAvailabilityDocument, {
    input: {
      listingId: listingGid(ownListing),
      ranges: [
        { start: dayFromToday(100), end: dayFromToday(103), available: false },
        { start: dayFromToday(110), end: dayFromToday(112), available: true, nightlyPrice: 15_000 },
      ],
    },
  });
  await user.client.ok(AddCalendarImportDocument, {
    input: { listingId: listingGid(ownListing), url: theirs.calendarImportUrl },
  });
  const hostListing = await make.listing(host).listed().with({ instantBook: true }).create();

  const asked = await inquire(user, listingGid(hostListing), theirs.inquiry);
  await reply(host, asked.conversation.id, kept.hostReply);

  // As guest: booked with a note (carried into the conversation), paid, then cancelled: refunded.
  const asGuest = await book(
    user,
    bookingInput(
      { listingId: listingGid(hostListing) },
      { checkIn: dayFromToday(40), checkOut: dayFromToday(43) },
      { message: theirs.bookingNote },
    ),
  );
  await user.client.ok(CancelBookingDocument, {
    input: { bookingId: asGuest.id, reason: theirs.cancelReason, idempotencyKey: randomUUID() },
  });
  // As host: booked and paid; the payout is scheduled.
  const asHost = await book(
    guest,
    bookingInput(
      { listingId: listingGid(ownListing) },
      { checkIn: dayFromToday(50), checkOut: dayFromToday(52) },
    ),
  );

  // Stays that are over: both sides review (published at once), the user answers the guest.
  const stayed = await completedStay(
    t,
    { host, guest: user, listing: hostListing },
    { checkIn: dayFromToday(-6), checkOut: dayFromToday(-3) },
  );
  await reviewOk(user, guestReviewInput(stayed, 4, { comment: kept.reviewOfListing }));
  await reviewOk(host, hostReviewInput(stayed, 5, { comment: kept.receivedReview }));
  const hosted = await completedStay(
    t,
    { host: user, guest, listing: ownListing },
    { checkIn: dayFromToday(-9), checkOut: dayFromToday(-7) },
  );
  const guestReview = await reviewOk(guest, guestReviewInput(hosted, 3, { comment: kept.guestReview }));
  await reviewOk(user, hostReviewInput(hosted, 4, { comment: kept.reviewOfGuest }));
  await user.client.ok(RespondToReviewDocument, {
    input: { reviewId: guestReview.id, response: theirs.response },
  });
  // Double-blind: a review of the user's listing they have not answered with theirs stays hidden.
  const unanswered = await completedStay(
    t,
    { host: user, guest, listing: ownListing },
    { checkIn: dayFromToday(-5), checkOut: dayFromToday(-4) },
  );
  await reviewOk(guest, guestReviewInput(unanswered, 2, { comment: kept.hiddenReview }));

  await user.client.ok(ReportListingDocument, {
    input: { listingId: listingGid(hostListing), reason: theirs.reportReason },
  });
  const list = await user.client.ok(CreateWishlistDocument, { input: { name: theirs.wishlistName } });
  await user.client.ok(AddToWishlistDocument, {
    input: { wishlistId: list.createWishlist.wishlist.id, listingId: listingGid(hostListing) },
  });

  return {
    user,
    firstName: name.firstName,
    lastName: name.lastName,
    phone,
    host,
    guest,
    ownListing,
    hostListing,
    conversationId: asked.conversation.id,
    bookingAsGuestId: asGuest.id,
    bookingAsHostId: asHost.id,
    theirs,
    kept,
  };
}
