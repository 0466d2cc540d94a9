// A refund an admin decides (moderation's refundBooking), outside any cancellation policy: any
// amount up to what is left to refund, split across what is left of each component so the ledger
// debits the accounts the capture credited. Like a cancellation refund it is decided in the
// caller's transaction (PENDING, the host's scheduled payout shrunk) and paid after commit.
import type { App } from "../../app.ts";
import { AppError, badInput, invalidState } from "../../core/errors.ts";
import type { Refund } from "../../generated/prisma/client.ts";
import type { Effects, Tx } from "../../infra/unit-of-work.ts";
import { readSnapshot } from "../bookings/snapshot.ts";
import { splitRefund } from "./refund-split.ts";
import { lockedPayment, refundableOf, settleAfterCommit, shrinkScheduledPayout } from "./service.ts";

export interface ManualRefundRequest {
  bookingId: string;
  /** Minor units; absent: everything left to refund. */
  amount?: number | null;
  reason: string;
  /** One refund per payment and key, whoever asks: the database's unique (payment_id, idempotency_key). */
  idempotencyKey: string;
}

export interface ManualRefundOutcome {
  refund: Refund;
  /** False when this key had already refunded the payment (the earlier refund is returned). */
  created: boolean;
  /** What had been refunded (decided or paid) and what was left, before and after, in minor units. */
  before: { refunded: string; refundable: string };
  after: { refunded: string; refundable: string };
  currency: string;
}

/** Inside the caller's unit of work (which has read the booking): decides the refund on the locked payment. */
export async function refundManually(
  tx: Tx,
  effects: Effects,
  app: App,
  booking: { id: string; quote: unknown },
  request: ManualRefundRequest,
): Promise<ManualRefundOutcome> {
  const payment = await lockedPayment(tx, booking.id);
  if (!payment || payment.captured === 0n) {
    throw invalidState("The booking has no captured payment to refund");
  }
  const snapshot = readSnapshot(booking.quote);
  const { refundable, decided, remaining } = await refundableOf(tx, payment, snapshot);
  const money = (refunded: bigint, left: bigint) => ({
    refunded: String(refunded),
    refundable: String(left),
  });

  const earlier = await tx.refund.findUnique({
    where: { paymentId_idempotencyKey: { paymentId: payment.id, idempotencyKey: request.idempotencyKey } },
  });
  if (earlier) {
    if (request.amount != null && BigInt(request.amount) !== earlier.amount) {
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        "This idempotency key already refunded this booking another amount",
      );
    }
    const now = money(decided, refundable);
    return { refund: earlier, created: false, before: now, after: now, currency: payment.currency };
  }

  if (refundable <= 0n) throw invalidState("Everything the guest paid has been refunded already");
  const amount = request.amount == null ? refundable : BigInt(request.amount);
  if (amount <= 0n) throw badInput([{ path: "amount", message: "must be positive" }]);
  if (amount > refundable) {
    throw badInput([
      { path: "amount", message: `must be at most ${refundable}, what is left to refund (minor units)` },
    ]);
  }
  const refund = await tx.refund.create({
    data: {
      paymentId: payment.id,
      amount,
      reason: request.reason,
      breakdown: { ...splitRefund(remaining, Number(amount)) },
      idempotencyKey: request.idempotencyKey,
    },
  });
  await shrinkScheduledPayout(tx, booking.id, snapshot, payment.id);
  await settleAfterCommit(effects, app, booking.id);
  return {
    refund,
    created: true,
    before: money(decided, refundable),
    after: money(decided + amount, refundable - amount),
    currency: payment.currency,
  };
}
