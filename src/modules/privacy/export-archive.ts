// What a data export holds: everything stored about one user, read in one snapshot and written
// as plain JSON (dates as YYYY-MM-DD, instants as ISO-8601 UTC, money in minor units). Secrets
// (password and token hashes) are left out, and so is what the user may not see yet: a review
// about them before it is published.
import { formatCalendarDate } from "../../core/calendar-date.ts";
import type { Tx } from "../../infra/unit-of-work.ts";

export const ARCHIVE_FORMAT = "roost.data-export";
export const ARCHIVE_VERSION = 1;

/** JSON values only: what the archive column stores and the download serves. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const instant = (value: Date | null): string | null => value?.toISOString() ?? null;
const date = (value: Date): string => formatCalendarDate(value);
/** Amounts are bounded far below 2^53 (a total fits a GraphQL Int): exact as JSON numbers. */
const money = (value: bigint): number => Number(value);

/** The sections of an archive, in the order they are written. */
export const ARCHIVE_SECTIONS = [
  "profile",
  "sessions",
  "listings",
  "bookingsAsGuest",
  "bookingsAsHost",
  "reviewsWritten",
  "reviewsReceived",
  "conversations",
  "wishlists",
  "notifications",
  "reportsMade",
  "activity",
] as const;

export type DataArchive = {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  exportId: string;
  userId: string;
  generatedAt: string;
} & Record<(typeof ARCHIVE_SECTIONS)[number], Json>;

/** Reads the user's data through `tx` (one snapshot: run it in a REPEATABLE READ transaction). */
export async function buildArchive(
  tx: Tx,
  ids: { userId: string; exportId: string },
  now: Date,
): Promise<DataArchive> {
  const { userId } = ids;
  const [profile, sessions, listings, bookingsAsGuest, bookingsAsHost] = await Promise.all([
    profileOf(tx, userId),
    sessionsOf(tx, userId),
    listingsOf(tx, userId),
    guestBookingsOf(tx, userId),
    hostBookingsOf(tx, userId),
  ]);
  const [reviewsWritten, reviewsReceived, conversations, wishlists, notifications, reportsMade, activity] =
    await Promise.all([
      reviewsOf(tx, { authorId: userId }),
      reviewsOf(tx, { subjectId: userId, publishedAt: { not: null } }),
      conversationsOf(tx, userId),
      wishlistsOf(tx, userId),
      notificationsOf(tx, userId),
      reportsOf(tx, userId),
      activityOf(tx, userId),
    ]);
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    exportId: ids.exportId,
    userId,
    generatedAt: now.toISOString(),
    profile,
    sessions,
    listings,
    bookingsAsGuest,
    bookingsAsHost,
    reviewsWritten,
    reviewsReceived,
    conversations,
    wishlists,
    notifications,
    reportsMade,
    activity,
  };
}

async function profileOf(tx: Tx, userId: string): Promise<Json> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    avatarUrl: user.avatarUrl,
    bio: user.bio,
    role: user.role,
    createdAt: instant(user.createdAt),
    updatedAt: instant(user.updatedAt),
  };
}

async function sessionsOf(tx: Tx, userId: string): Promise<Json> {
  const sessions = await tx.session.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return sessions.map((session) => ({
    id: session.id,
    createdAt: instant(session.createdAt),
    lastUsedAt: instant(session.lastUsedAt),
    expiresAt: instant(session.expiresAt),
    revokedAt: instant(session.revokedAt),
    revokeReason: session.revokeReason,
    ip: session.ip,
    userAgent: session.userAgent,
  }));
}

async function listingsOf(tx: Tx, hostId: string): Promise<Json> {
  const listings = await tx.listing.findMany({
    where: { hostId },
    orderBy: { createdAt: "asc" },
    include: {
      photos: { orderBy: { position: "asc" } },
      amenities: { select: { amenityCode: true }, orderBy: { amenityCode: "asc" } },
      holds: { where: { kind: "BLOCK" }, orderBy: { startDate: "asc" } },
      nightPrices: { orderBy: { night: "asc" } },
    },
  });
  return listings.map((listing) => ({
    id: listing.id,
    status: listing.status,
    title: listing.title,
    description: listing.description,
    propertyType: listing.propertyType,
    roomType: listing.roomType,
    address: {
      line1: listing.addressLine1,
      line2: listing.addressLine2,
      city: listing.city,
      region: listing.region,
      postalCode: listing.postalCode,
      country: listing.country,
    },
    location: { lat: listing.lat, lng: listing.lng },
    timeZone: listing.timeZone,
    maxGuests: listing.maxGuests,
    bedrooms: listing.bedrooms,
    beds: listing.beds,
    bathrooms: listing.bathrooms,
    currency: listing.currency,
    nightlyPrice: listing.nightlyPrice,
    cleaningFee: listing.cleaningFee,
    weeklyDiscountPercent: listing.weeklyDiscountPct,
    monthlyDiscountPercent: listing.monthlyDiscountPct,
    minNights: listing.minNights,
    maxNights: listing.maxNights,
    instantBook: listing.instantBook,
    cancellationPolicy: listing.cancellationPolicy,
    houseRules: listing.houseRules,
    checkInTime: listing.checkInTime,
    checkOutTime: listing.checkOutTime,
    publishedAt: instant(listing.publishedAt),
    createdAt: instant(listing.createdAt),
    updatedAt: instant(listing.updatedAt),
    amenityCodes: listing.amenities.map((amenity) => amenity.amenityCode),
    photos: listing.photos.map((photo) => ({
      id: photo.id,
      url: photo.url,
      caption: photo.caption,
      position: photo.position,
      createdAt: instant(photo.createdAt),
    })),
    calendarBlocks: listing.holds.map((hold) => ({
      start: date(hold.startDate),
      end: date(hold.endDate),
      note: hold.note,
      createdAt: instant(hold.createdAt),
    })),
    nightPrices: listing.nightPrices.map((price) => ({ night: date(price.night), amount: price.amount })),
  }));
}

const bookingInclude = {
  listing: { select: { title: true } },
  payment: { include: { refunds: { orderBy: { createdAt: "asc" } } } },
  payouts: { orderBy: { createdAt: "asc" } },
} as const;

type BookingRow = Awaited<ReturnType<typeof guestBookingRows>>[number];

const guestBookingRows = (tx: Tx, guestId: string) =>
  tx.booking.findMany({ where: { guestId }, orderBy: { createdAt: "asc" }, include: bookingInclude });

function bookingJson(booking: BookingRow): { [key: string]: Json } {
  return {
    id: booking.id,
    listingId: booking.listingId,
    listingTitle: booking.listing.title,
    guestId: booking.guestId,
    hostId: booking.hostId,
    status: booking.status,
    checkIn: date(booking.checkIn),
    checkOut: date(booking.checkOut),
    nights: booking.nights,
    guests: booking.guests,
    currency: booking.currency,
    total: money(booking.total),
    quote: booking.quote as Json,
    cancellationPolicy: booking.cancellationPolicy,
    message: booking.message,
    createdAt: instant(booking.createdAt),
    confirmedAt: instant(booking.confirmedAt),
    declinedAt: instant(booking.declinedAt),
    cancelledAt: instant(booking.cancelledAt),
    cancelledBy: booking.cancelledBy,
    cancelReason: booking.cancelReason,
    completedAt: instant(booking.completedAt),
  };
}

async function guestBookingsOf(tx: Tx, guestId: string): Promise<Json> {
  const bookings = await guestBookingRows(tx, guestId);
  return bookings.map((booking) => {
    const { payment } = booking;
    return {
      ...bookingJson(booking),
      payment: payment && {
        status: payment.status,
        provider: payment.provider,
        method: payment.method,
        currency: payment.currency,
        amount: money(payment.amount),
        captured: money(payment.captured),
        refunded: money(payment.refunded),
        createdAt: instant(payment.createdAt),
        capturedAt: instant(payment.capturedAt),
        voidedAt: instant(payment.voidedAt),
        refunds: payment.refunds.map((refund) => ({
          amount: money(refund.amount),
          reason: refund.reason,
          status: refund.status,
          createdAt: instant(refund.createdAt),
          succeededAt: instant(refund.succeededAt),
        })),
      },
    };
  });
}

async function hostBookingsOf(tx: Tx, hostId: string): Promise<Json> {
  const bookings = await tx.booking.findMany({
    where: { hostId },
    orderBy: { createdAt: "asc" },
    include: { ...bookingInclude, guest: { select: { firstName: true } } },
  });
  return bookings.map((booking) => ({
    ...bookingJson(booking),
    guestFirstName: booking.guest.firstName,
    payouts: booking.payouts.map((payout) => ({
      id: payout.id,
      status: payout.status,
      currency: payout.currency,
      amount: money(payout.amount),
      fee: money(payout.fee),
      scheduledFor: instant(payout.scheduledFor),
      paidAt: instant(payout.paidAt),
      failureReason: payout.failureReason,
    })),
  }));
}

async function reviewsOf(
  tx: Tx,
  where: { authorId: string } | { subjectId: string; publishedAt: { not: null } },
): Promise<Json> {
  const reviews = await tx.review.findMany({ where, orderBy: { createdAt: "asc" } });
  return reviews.map((review) => ({
    id: review.id,
    bookingId: review.bookingId,
    listingId: review.listingId,
    authorId: review.authorId,
    subjectId: review.subjectId,
    direction: review.direction,
    rating: review.rating,
    categoryRatings: {
      cleanliness: review.cleanliness,
      accuracy: review.accuracy,
      communication: review.communication,
      location: review.location,
      checkIn: review.checkInRating,
      value: review.value,
    },
    comment: review.comment,
    response: review.response,
    respondedAt: instant(review.respondedAt),
    publishedAt: instant(review.publishedAt),
    createdAt: instant(review.createdAt),
  }));
}

async function conversationsOf(tx: Tx, userId: string): Promise<Json> {
  const conversations = await tx.conversation.findMany({
    where: { participants: { some: { userId } } },
    orderBy: { createdAt: "asc" },
    include: {
      participants: { include: { user: { select: { firstName: true } } } },
      messages: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    },
  });
  return conversations.map((conversation) => ({
    id: conversation.id,
    listingId: conversation.listingId,
    bookingId: conversation.bookingId,
    createdAt: instant(conversation.createdAt),
    participants: conversation.participants.map((participant) => ({
      userId: participant.userId,
      firstName: participant.user.firstName,
      isYou: participant.userId === userId,
      lastReadAt: instant(participant.lastReadAt),
    })),
    messages: conversation.messages.map((message) => ({
      id: message.id,
      senderId: message.senderId,
      fromYou: message.senderId === userId,
      body: message.body,
      createdAt: instant(message.createdAt),
    })),
  }));
}

async function wishlistsOf(tx: Tx, userId: string): Promise<Json> {
  const wishlists = await tx.wishlist.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    include: { items: { orderBy: { createdAt: "asc" }, include: { listing: { select: { title: true } } } } },
  });
  return wishlists.map((wishlist) => ({
    id: wishlist.id,
    name: wishlist.name,
    createdAt: instant(wishlist.createdAt),
    listings: wishlist.items.map((item) => ({
      listingId: item.listingId,
      title: item.listing.title,
      savedAt: instant(item.createdAt),
    })),
  }));
}

/** Reports the user made (moderation): what, why, and how the report stands; not who resolved it. */
async function reportsOf(tx: Tx, userId: string): Promise<Json> {
  const reports = await tx.report.findMany({ where: { reporterId: userId }, orderBy: { createdAt: "asc" } });
  return reports.map((report) => ({
    id: report.id,
    targetType: report.targetType,
    targetId: report.listingId ?? report.reviewId ?? report.reportedUserId,
    reason: report.reason,
    status: report.status,
    createdAt: instant(report.createdAt),
    resolvedAt: instant(report.resolvedAt),
  }));
}

async function notificationsOf(tx: Tx, userId: string): Promise<Json> {
  const notifications = await tx.notification.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return notifications.map((notification) => ({
    id: notification.id,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    data: notification.data as Json,
    readAt: instant(notification.readAt),
    createdAt: instant(notification.createdAt),
  }));
}

/** What the user did that was audited (their own actions only), with the address it came from. */
async function activityOf(tx: Tx, actorId: string): Promise<Json> {
  const entries = await tx.auditLog.findMany({ where: { actorId }, orderBy: { createdAt: "asc" } });
  return entries.map((entry) => ({
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    ip: entry.ip,
    createdAt: instant(entry.createdAt),
  }));
}
