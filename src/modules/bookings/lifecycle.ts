// A booking's life after the request: accept, decline, cancel (guest, host or admin), and the
// system's expire and complete. Each is one unit of work on the locked booking row: the state
// machine decides, the row changes (the database trigger keeps or frees the nights), money
// follows (payments module), jobs and notices are added in the same transaction, and
// subscribers hear of it after commit.
import type { App } from "../../app.ts";
import type { Actor, UserActor } from "../../core/actor.ts";
import { isAdmin } from "../../core/actor.ts";
import { notFound } from "../../core/errors.ts";
import type { Booking } from "../../generated/prisma/client.ts";
import type { ActorRole } from "../../generated/prisma/enums.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { announceCalendarChange } from "../listings/calendar.ts";
import { capturePayment, schedulePayout, scheduleRefund, settleAfterCommit } from "../payments/service.ts";
import "./events.ts";
import { oncePerKey } from "./keys.ts";
import { type BookingNotice, noticeBooking } from "./notices.ts";
import { checkInInstant, checkOutInstant, refundFor } from "./refund-policy.ts";
import { type BookingSnapshot, readSnapshot } from "./snapshot.ts";
import { type BookingAction, type BookingParty, nextStatus } from "./state-machine.ts";

export const EXPIRE_TASK = "bookings_expire";
export const COMPLETE_TASK = "bookings_complete";

/** Who the actor is to this booking. */
export function partyOf(actor: Actor, booking: Pick<Booking, "guestId" | "hostId">): BookingParty {
  if (actor.kind === "system") return "SYSTEM";
  if (actor.userId === booking.guestId) return "GUEST";
  if (actor.userId === booking.hostId) return "HOST";
  return isAdmin(actor) ? "ADMIN" : "OTHER";
}

/** Guests, hosts and admins see a booking; to anyone else it does not exist. */
export const canViewBooking = (actor: Actor | null, booking: Pick<Booking, "guestId" | "hostId">): boolean =>
  actor !== null && partyOf(actor, booking) !== "OTHER";

/** The booking row, locked for the rest of the transaction; NOT_FOUND unless the actor may see it. */
async function lockedBooking(tx: Tx, actor: Actor, bookingId: string): Promise<Booking> {
  await tx.$queryRaw`SELECT id FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`;
  const booking = await tx.booking.findUnique({ where: { id: bookingId } });
  if (!booking || (actor.kind === "user" && !canViewBooking(actor, booking))) throw notFound("Booking");
  return booking;
}

/** A request answered or ended no longer expires (its job would find nothing to do; this keeps the queue clean). */
const dropExpiry = (tx: Tx, bookingId: string) =>
  tx.$executeRaw`SELECT graphile_worker.remove_job(${`expire:${bookingId}`})`;

/** Subscribers hear of the change after commit (through the outbox); the parties get their notices now. */
export async function announceBooking(
  tx: Tx,
  effects: Effects,
  app: App,
  booking: Booking,
  notice: BookingNotice,
): Promise<void> {
  const event = { bookingId: booking.id, status: booking.status, at: booking.updatedAt.toISOString() };
  effects.outbox({ topic: "bookingUpdated", id: booking.id, payload: event });
  for (const userId of new Set([booking.guestId, booking.hostId])) {
    effects.outbox({ topic: "userBookingUpdated", id: userId, payload: event });
  }
  await noticeBooking(tx, effects, app, booking, notice);
}

/**
 * PENDING → CONFIRMED inside the caller's transaction: capture (a refusal rolls it all back,
 * so the booking stays PENDING), schedule the payout and the stay's completion.
 */
export async function confirmInside(
  tx: Tx,
  effects: Effects,
  app: App,
  booking: Booking,
  snapshot: BookingSnapshot,
  how: "instant" | "accepted",
): Promise<Booking> {
  await capturePayment(tx, app, booking.id, snapshot);
  const confirmed = await tx.booking.update({
    where: { id: booking.id },
    data: { status: "CONFIRMED", confirmedAt: app.clock.now(), expiresAt: null },
  });
  if (how === "accepted") await dropExpiry(tx, booking.id);
  await schedulePayout(tx, effects, app, confirmed, snapshot, checkInInstant(snapshot));
  await effects.addJob(
    COMPLETE_TASK,
    { bookingId: booking.id },
    { runAt: checkOutInstant(snapshot), jobKey: `complete:${booking.id}`, maxAttempts: 25 },
  );
  await announceBooking(tx, effects, app, confirmed, "confirmed");
  return confirmed;
}

interface Transition {
  action: BookingAction;
  /** Runs once the state machine allowed the action, on the locked row. */
  apply: (tx: Tx, effects: Effects, booking: Booking, party: BookingParty) => Promise<Booking>;
}

async function runTransition(
  app: App,
  actor: Actor,
  bookingId: string,
  transition: Transition,
): Promise<Booking> {
  return unitOfWork(app, async (tx, effects) => {
    const booking = await lockedBooking(tx, actor, bookingId);
    const party = partyOf(actor, booking);
    nextStatus(booking.status, transition.action, party);
    return transition.apply(tx, effects, booking, party);
  });
}

/** Ends a booking that held nights: frees them (the trigger), releases or refunds the money. */
async function endBooking(
  tx: Tx,
  effects: Effects,
  app: App,
  booking: Booking,
  data: Parameters<Tx["booking"]["update"]>[0]["data"],
  notice: BookingNotice,
): Promise<Booking> {
  const ended = await tx.booking.update({ where: { id: booking.id }, data });
  await dropExpiry(tx, booking.id);
  announceCalendarChange(effects, app, {
    listingId: booking.listingId,
    from: booking.checkIn,
    to: booking.checkOut,
  });
  await settleAfterCommit(effects, app, booking.id);
  await announceBooking(tx, effects, app, ended, notice);
  return ended;
}

/** Keys are optional on accept and decline, required on cancel (the contract). */
type Keyed<T> = T & { idempotencyKey?: string | null };

export const acceptBooking = (
  actor: UserActor,
  input: Keyed<{ bookingId: string }>,
  app: App,
): Promise<Booking> =>
  oncePerKey(app, actor, "acceptBooking", input, { required: false }, () =>
    runTransition(app, actor, input.bookingId, {
      action: "accept",
      apply: (tx, effects, booking) =>
        confirmInside(tx, effects, app, booking, readSnapshot(booking.quote), "accepted"),
    }),
  );

export const declineBooking = (
  actor: UserActor,
  input: Keyed<{ bookingId: string; reason?: string | null }>,
  app: App,
): Promise<Booking> =>
  oncePerKey(app, actor, "declineBooking", input, { required: false }, () =>
    runTransition(app, actor, input.bookingId, {
      action: "decline",
      apply: (tx, effects, booking) =>
        endBooking(
          tx,
          effects,
          app,
          booking,
          {
            status: "DECLINED",
            declinedAt: app.clock.now(),
            cancelReason: input.reason ?? null,
            expiresAt: null,
          },
          "declined",
        ),
    }),
  );

const cancelledBy: Record<BookingParty, ActorRole> = {
  GUEST: "GUEST",
  HOST: "HOST",
  ADMIN: "ADMIN",
  SYSTEM: "SYSTEM",
  OTHER: "SYSTEM",
};

export const cancelBooking = (
  actor: UserActor,
  input: Keyed<{ bookingId: string; reason?: string | null }>,
  app: App,
): Promise<Booking> =>
  oncePerKey(app, actor, "cancelBooking", input, { required: true }, () =>
    runTransition(app, actor, input.bookingId, {
      action: "cancel",
      apply: async (tx, effects, booking, party) => {
        const now = app.clock.now();
        const snapshot = readSnapshot(booking.quote);
        if (booking.status === "CONFIRMED") {
          const by = party === "GUEST" ? "GUEST" : party === "HOST" ? "HOST" : "ADMIN";
          const breakdown = refundFor(snapshot, { by, at: now, bookedAt: booking.createdAt });
          await scheduleRefund(tx, booking.id, snapshot, breakdown, `cancelled by ${by.toLowerCase()}`);
        }
        return endBooking(
          tx,
          effects,
          app,
          booking,
          {
            status: "CANCELLED",
            cancelledAt: now,
            cancelledBy: cancelledBy[party],
            cancelReason: input.reason ?? null,
            expiresAt: null,
          },
          "cancelled",
        );
      },
    }),
  );

/** The expiry job: a request the host left unanswered. Returns false when there was nothing to do. */
export async function expireBooking(app: App, bookingId: string): Promise<boolean> {
  const actor = { kind: "system", reason: "request expired" } as const;
  return unitOfWork(app, async (tx, effects) => {
    const booking = await lockedBooking(tx, actor, bookingId);
    if (booking.status !== "PENDING") return false;
    if (booking.expiresAt && booking.expiresAt > app.clock.now()) {
      // Run early (clocks differ): come back when it is due.
      await effects.addJob(
        EXPIRE_TASK,
        { bookingId },
        { runAt: booking.expiresAt, jobKey: `expire:${bookingId}` },
      );
      return false;
    }
    nextStatus(booking.status, "expire", "SYSTEM");
    await endBooking(
      tx,
      effects,
      app,
      booking,
      { status: "EXPIRED", expiresAt: booking.expiresAt },
      "expired",
    );
    return true;
  });
}

/** The completion job: the stay is over at the listing's local check-out time. */
export async function completeBooking(app: App, bookingId: string): Promise<boolean> {
  const actor = { kind: "system", reason: "stay completed" } as const;
  return unitOfWork(app, async (tx, effects) => {
    const booking = await lockedBooking(tx, actor, bookingId);
    if (booking.status !== "CONFIRMED") return false;
    const checkOutAt = checkOutInstant(readSnapshot(booking.quote));
    if (checkOutAt > app.clock.now()) {
      await effects.addJob(
        COMPLETE_TASK,
        { bookingId },
        { runAt: checkOutAt, jobKey: `complete:${bookingId}` },
      );
      return false;
    }
    nextStatus(booking.status, "complete", "SYSTEM");
    const completed = await tx.booking.update({
      where: { id: booking.id },
      data: { status: "COMPLETED", completedAt: app.clock.now() },
    });
    await announceBooking(tx, effects, app, completed, "completed");
    return true;
  });
}
