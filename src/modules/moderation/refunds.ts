// An admin's refund of a booking (refundBooking): any amount up to what is left to refund, whatever
// the booking's state, through the payments module (decided in this transaction, booked in the
// ledger when the provider pays it, right after commit or by the settle job). Idempotent twice
// over: the admin's key replays the first answer (infra/idempotency), and the refund row itself
// is unique per payment and key, so two admins using one key still refund once.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { notFound } from "../../core/errors.ts";
import type { Booking } from "../../generated/prisma/client.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import { oncePerKey } from "../bookings/keys.ts";
import { readSnapshot } from "../bookings/snapshot.ts";
import { refundManually } from "../payments/manual-refund.ts";
import { recordAction } from "./audit.ts";
import { noticeRefund } from "./notices.ts";

export interface RefundBookingInput {
  bookingId: string;
  amount?: number | null;
  reason: string;
  idempotencyKey: string;
}

export const refundBooking = (actor: UserActor, input: RefundBookingInput, app: App): Promise<Booking> =>
  oncePerKey(app, actor, "refundBooking", input, { required: true }, () =>
    unitOfWork(app, async (tx, effects) => {
      // The booking's lock, then the payment's: the order a cancellation takes them in.
      await tx.$queryRaw`SELECT id FROM bookings WHERE id = ${input.bookingId}::uuid FOR UPDATE`;
      const booking = await tx.booking.findUnique({ where: { id: input.bookingId } });
      if (!booking) throw notFound("Booking");
      const outcome = await refundManually(tx, effects, app, booking, input);
      if (!outcome.created) return booking;
      const { refund } = outcome;
      await recordAction(tx, actor, {
        action: "booking.refunded",
        entityType: "Booking",
        entityId: booking.id,
        reason: input.reason,
        before: outcome.before,
        after: outcome.after,
        extra: {
          refundId: refund.id,
          amount: String(refund.amount),
          currency: outcome.currency,
          breakdown: refund.breakdown,
        },
      });
      await noticeRefund(
        tx,
        effects,
        app,
        { ...booking, listingTitle: readSnapshot(booking.quote).listing.title },
        { id: refund.id, amount: refund.amount, currency: outcome.currency },
      );
      return booking;
    }),
  );
