// requestBooking: check the stay, hold the guest's money, then commit the booking and its nights.
// The money is authorized before the booking's transaction, so the authorization (the slow
// provider call) never runs under the listing's lock; only an instant-book capture does, at the
// end. If the booking then cannot commit (dates taken by a concurrent request: the exclusion
// constraint decides), the hold is released at once (voided, or refunded if it was captured),
// and a crash in between is repaired by the payments reconciliation job.
import { randomUUID } from "node:crypto";
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { addDays, formatCalendarDate } from "../../core/calendar-date.ts";
import { badInput, type FieldError, invalidState, notFound } from "../../core/errors.ts";
import type { Booking, Listing, Prisma } from "../../generated/prisma/client.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import { canViewListing } from "../listings/access.ts";
import { announceCalendarChange, datesUnavailable, listingToday } from "../listings/calendar.ts";
import { lockedListing } from "../listings/service.ts";
import { carryBookingConversation } from "../messaging/thread.ts";
import {
  attachPayment,
  authorizePayment,
  type HeldAuthorization,
  releaseAuthorization,
} from "../payments/authorization.ts";
import {
  type ListingQuote,
  listingSuspended,
  quoteAvailableStay,
  type StayRequest,
  stayIssues,
} from "../pricing/quote-service.ts";
import { announceBooking, confirmInside, EXPIRE_TASK } from "./lifecycle.ts";
import { oncePerKey } from "./keys.ts";
import { takeSnapshot } from "./snapshot.ts";
import { nextStatus } from "./state-machine.ts";

export const BOOKING_MESSAGE_MAX = 1_000;

export interface RequestBookingInput extends StayRequest {
  listingId: string;
  paymentMethod: string;
  message?: string | null;
  idempotencyKey?: string | null;
}

export async function requestBooking(
  actor: UserActor,
  input: RequestBookingInput,
  app: App,
): Promise<Booking> {
  const { idempotencyKey: _key, ...request } = input;
  return oncePerKey(app, actor, "requestBooking", input, { required: true }, () =>
    placeBooking(actor, request, app),
  );
}

/**
 * Every way the request breaks the listing's rules or ours, all at once. A suspended listing is
 * INVALID_STATE instead (to whoever can still see it: the public gets NOT_FOUND before this).
 */
function requestIssues(app: App, listing: Listing, input: RequestBookingInput): FieldError[] {
  if (listing.status === "SUSPENDED") throw listingSuspended();
  const today = listingToday(app.clock, listing);
  const issues = stayIssues(listing, input, today);
  const horizon = addDays(today, app.config.bookings.horizonDays);
  if (input.checkIn > horizon) {
    issues.push({
      path: "checkIn",
      message: `must be at most ${app.config.bookings.horizonDays} days ahead (${formatCalendarDate(horizon)})`,
    });
  }
  if (listing.status !== "LISTED")
    issues.push({ path: "listingId", message: "the listing is not open for booking" });
  if (!input.paymentMethod.trim()) issues.push({ path: "paymentMethod", message: "is required" });
  if ((input.message ?? "").length > BOOKING_MESSAGE_MAX) {
    issues.push({ path: "message", message: `must be at most ${BOOKING_MESSAGE_MAX} characters` });
  }
  return issues;
}

async function placeBooking(actor: UserActor, input: RequestBookingInput, app: App): Promise<Booking> {
  const listing = await app.db.listing.findUnique({ where: { id: input.listingId } });
  if (!listing || !canViewListing(actor, listing)) throw notFound("Listing");
  // A host cannot book their own listing (state machine: "request" is the guest's).
  nextStatus(null, "request", listing.hostId === actor.userId ? "HOST" : "GUEST");
  const issues = requestIssues(app, listing, input);
  if (issues.length) throw badInput(issues);
  // Asked first so that nights already taken never reach the provider.
  const quote = await quoteAvailableStay(app.db, listing, input, app);

  const bookingId = randomUUID();
  const held = await authorizePayment(app, {
    bookingId,
    guestId: actor.userId,
    listingId: listing.id,
    paymentMethod: input.paymentMethod,
    amount: quote.total,
    currency: quote.currency,
    description: `Roost: ${listing.title}, ${formatCalendarDate(input.checkIn)} to ${formatCalendarDate(input.checkOut)}`,
  });
  try {
    return await commitBooking(actor, input, app, { bookingId, held, quoted: quote });
  } catch (error) {
    await releaseAuthorization(app, held);
    throw error;
  }
}

async function commitBooking(
  actor: UserActor,
  input: RequestBookingInput,
  app: App,
  context: { bookingId: string; held: HeldAuthorization; quoted: ListingQuote },
): Promise<Booking> {
  const booking = await unitOfWork(
    app,
    async (tx, effects) => {
      // Locked: the listing's status, currency and prices hold until this commits.
      const listing = await lockedListing(tx, input.listingId);
      const issues = requestIssues(app, listing, input);
      if (issues.length) throw badInput(issues);
      const quote = await quoteAvailableStay(tx, listing, input, app);
      if (quote.total !== context.quoted.total || quote.currency !== context.quoted.currency) {
        throw invalidState("The listing's prices changed while booking; quote the stay again");
      }
      const status = nextStatus(null, "request", "GUEST", { instantBook: listing.instantBook });
      const now = app.clock.now();
      const snapshot = takeSnapshot(
        listing,
        quote,
        { checkIn: formatCalendarDate(input.checkIn), checkOut: formatCalendarDate(input.checkOut) },
        { ...app.config.pricing },
      );
      const created = await tx.booking.create({
        data: {
          id: context.bookingId,
          listingId: listing.id,
          guestId: actor.userId,
          hostId: listing.hostId,
          status: "PENDING",
          checkIn: input.checkIn,
          checkOut: input.checkOut,
          nights: quote.nights,
          guests: input.guests,
          currency: quote.currency,
          total: BigInt(quote.total),
          quote: snapshot as unknown as Prisma.InputJsonObject,
          cancellationPolicy: listing.cancellationPolicy,
          message: input.message?.trim() || null,
          expiresAt: new Date(now.getTime() + app.config.bookings.requestTtlMs),
          createdAt: now,
        },
      });
      await attachPayment(tx, context.held);
      // The guest's conversation with the host follows the booking, with its message.
      await carryBookingConversation(tx, effects, app, created);
      announceCalendarChange(effects, app, {
        listingId: listing.id,
        from: input.checkIn,
        to: input.checkOut,
      });
      if (status === "CONFIRMED") return confirmInside(tx, effects, app, created, snapshot, "instant");
      await effects.addJob(
        EXPIRE_TASK,
        { bookingId: created.id },
        { runAt: created.expiresAt ?? now, jobKey: `expire:${created.id}`, maxAttempts: 25 },
      );
      await announceBooking(tx, effects, app, created, "requested");
      return created;
    },
    { errors: { exclusion: datesUnavailable() } },
  );
  app.logger.info(
    { bookingId: booking.id, listingId: booking.listingId, status: booking.status },
    "booking requested",
  );
  return booking;
}
