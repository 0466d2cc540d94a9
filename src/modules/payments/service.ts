// Money after a booking exists: capture on confirmation, release and refunds after a decline,
// expiry or cancellation, and the host's payout. Each movement is booked in the ledger in the
// transaction that records it, and each provider call carries a key derived from our ids, so a
// retried job or request never moves money twice.
import type { App } from "../../app.ts";
import { AppError } from "../../core/errors.ts";
import type { Payment, Refund } from "../../generated/prisma/client.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import type { RefundBreakdown } from "../bookings/refund-policy.ts";
import { type BookingSnapshot, readSnapshot } from "../bookings/snapshot.ts";
import { notify } from "../notifications/service.ts";
import { formatMoney } from "../pricing/money.ts";
import { divideRoundHalfUp } from "../pricing/quote.ts";
import { paymentFailed, providerUnavailable } from "./authorization.ts";
import { captureLines, type PaymentParts, payoutLines, postJournal, refundLines } from "./ledger.ts";
import { capBreakdown, paidComponents, remainingComponents, splitRefund } from "./refund-split.ts";
import { PaymentDeclinedError, ProviderUnavailableError, providerKeys, releaseHold } from "./provider.ts";

export const SETTLE_TASK = "payments_settle";
export const PAYOUT_TASK = "payments_payout";
/** The worker settles what the request could not, a few seconds later, with backoff. */
const SETTLE_GRACE_MS = 5_000;

/** What the guest's total is made of, from what they agreed to. */
export function paymentParts(snapshot: BookingSnapshot): PaymentParts {
  const { subtotal, discount, cleaningFee, serviceFee, taxes } = snapshot.quote;
  return {
    hostShare: BigInt(subtotal - discount + cleaningFee),
    serviceFee: BigInt(serviceFee),
    taxes: BigInt(taxes),
  };
}

const refundParts = (breakdown: RefundBreakdown): PaymentParts => ({
  hostShare: BigInt(breakdown.nights + breakdown.cleaningFee),
  serviceFee: BigInt(breakdown.serviceFee),
  taxes: BigInt(breakdown.taxes),
});

/** The booking's payment row, locked for the rest of the transaction. */
export async function lockedPayment(tx: Tx, bookingId: string): Promise<Payment | null> {
  await tx.$queryRaw`SELECT id FROM payments WHERE booking_id = ${bookingId}::uuid FOR UPDATE`;
  return tx.payment.findUnique({ where: { bookingId } });
}

/**
 * Inside the confirming transaction (the booking row locked): takes the held money. A provider
 * refusal rolls the confirmation back, so the booking stays PENDING and the host is told why.
 */
export async function capturePayment(tx: Tx, app: App, bookingId: string, snapshot: BookingSnapshot) {
  const payment = await lockedPayment(tx, bookingId);
  if (!payment?.providerRef) throw new Error(`booking ${bookingId} has no payment to capture`);
  if (payment.status === "CAPTURED") return;
  if (payment.status !== "AUTHORIZED") {
    throw new AppError("PAYMENT_FAILED", `The guest's payment is ${payment.status.toLowerCase()}`);
  }
  try {
    await app.payments.capture({
      idempotencyKey: providerKeys.capture(payment.id),
      ref: payment.providerRef,
      amount: Number(payment.amount),
    });
  } catch (error) {
    if (error instanceof PaymentDeclinedError) {
      throw paymentFailed(
        "The guest's payment could not be captured; the request stays pending",
        error.declineCode,
        "bookingId",
      );
    }
    if (error instanceof ProviderUnavailableError) throw providerUnavailable();
    throw error;
  }
  await tx.payment.update({
    where: { id: payment.id },
    data: { status: "CAPTURED", captured: payment.amount, capturedAt: app.clock.now() },
  });
  await postJournal(tx, {
    currency: payment.currency,
    memo: "capture",
    bookingId,
    paymentId: payment.id,
    lines: captureLines(paymentParts(snapshot)),
  });
}

/**
 * Inside a cancelling transaction: decides the refund (PENDING until the provider confirms)
 * and shrinks the host's scheduled payout to what they keep. Returns the refund, if any. Refunds
 * decided before (an admin's, one made at the provider) are taken out first, component by
 * component, so the policy's refund never returns what was already returned.
 */
export async function scheduleRefund(
  tx: Tx,
  bookingId: string,
  snapshot: BookingSnapshot,
  breakdown: RefundBreakdown,
  reason: string,
): Promise<Refund | null> {
  const payment = await lockedPayment(tx, bookingId);
  if (payment?.status !== "CAPTURED" && payment?.status !== "PARTIALLY_REFUNDED") return null;
  const { refundable, remaining } = await refundableOf(tx, payment, snapshot);
  const capped = capBreakdown(breakdown, remaining);
  const amount = BigInt(capped.total) < refundable ? BigInt(capped.total) : refundable;
  if (amount <= 0n) return null;
  const decided = amount === BigInt(capped.total) ? capped : splitRefund(capped, Number(amount));
  const refund = await tx.refund.create({
    data: { paymentId: payment.id, amount, reason, breakdown: { ...decided } },
  });
  await shrinkScheduledPayout(tx, bookingId, snapshot, payment.id);
  return refund;
}

/**
 * What is left to refund of a payment: in money (captured less every refund decided or paid) and
 * by component (what the guest paid less what those refunds returned of each), the smaller of
 * the two when refunds made at the provider rounded differently.
 */
export async function refundableOf(
  tx: Tx,
  payment: Pick<Payment, "id" | "captured">,
  snapshot: BookingSnapshot,
): Promise<{ refundable: bigint; decided: bigint; remaining: RefundBreakdown }> {
  const refunds = await tx.refund.findMany({
    where: { paymentId: payment.id },
    select: { amount: true, breakdown: true },
  });
  const decided = refunds.reduce((sum, refund) => sum + refund.amount, 0n);
  const remaining = remainingComponents(
    paidComponents(snapshot),
    refunds.map((refund) => refund.breakdown as unknown as Partial<RefundBreakdown>),
  );
  const byMoney = payment.captured - decided;
  const byParts = BigInt(remaining.total);
  const refundable = byMoney < byParts ? byMoney : byParts;
  return { refundable: refundable > 0n ? refundable : 0n, decided, remaining };
}

/** The host's share and fee once `refunded` is returned to the guest. */
export function payoutFor(
  snapshot: BookingSnapshot,
  refunded: Pick<RefundBreakdown, "nights" | "cleaningFee">,
): { hostShare: bigint; fee: bigint; amount: bigint } {
  const kept = paymentParts(snapshot).hostShare - BigInt(refunded.nights + refunded.cleaningFee);
  const hostShare = kept > 0n ? kept : 0n;
  const fee = divideRoundHalfUp(hostShare * BigInt(snapshot.fees.hostFeeBps), 10_000n);
  return { hostShare, fee, amount: hostShare - fee };
}

/** What the payment's refunds (decided or paid) return of the host's share. */
async function refundedOfHostShare(
  tx: Tx,
  paymentId: string,
): Promise<Pick<RefundBreakdown, "nights" | "cleaningFee">> {
  const refunds = await tx.refund.findMany({ where: { paymentId }, select: { breakdown: true } });
  return refunds.reduce(
    (sum, refund) => {
      const breakdown = refund.breakdown as unknown as Partial<RefundBreakdown>;
      return {
        nights: sum.nights + (breakdown.nights ?? 0),
        cleaningFee: sum.cleaningFee + (breakdown.cleaningFee ?? 0),
      };
    },
    { nights: 0, cleaningFee: 0 },
  );
}

/** A scheduled payout shrinks to what the host keeps after every refund; to nothing, it is cancelled. */
export async function shrinkScheduledPayout(
  tx: Tx,
  bookingId: string,
  snapshot: BookingSnapshot,
  paymentId: string,
): Promise<void> {
  const payout = await tx.payout.findUnique({ where: { bookingId } });
  if (payout?.status !== "SCHEDULED") return;
  const { amount, fee } = payoutFor(snapshot, await refundedOfHostShare(tx, paymentId));
  await tx.payout.update({
    where: { id: payout.id },
    data: amount > 0n ? { amount, fee } : { amount: 0n, fee: 0n, status: "CANCELLED" },
  });
}

/**
 * A refund whose parts we did not decide (made at the provider): split like the guest's total,
 * taxes and service fee in proportion, the rest from the host's share.
 */
export function proportionalBreakdown(snapshot: BookingSnapshot, amount: number): RefundBreakdown {
  const { total, taxes, serviceFee } = snapshot.quote;
  const share = (part: number) =>
    total > 0 ? Number(divideRoundHalfUp(BigInt(amount) * BigInt(part), BigInt(total))) : 0;
  const [taxesPart, serviceFeePart] = [share(taxes), share(serviceFee)];
  return {
    nights: amount - taxesPart - serviceFeePart,
    cleaningFee: 0,
    serviceFee: serviceFeePart,
    taxes: taxesPart,
    total: amount,
  };
}

/** The ledger journal of a refund paid to the guest. */
export async function recordRefundJournal(
  tx: Tx,
  payment: { bookingId: string; paymentId: string; currency: string },
  breakdown: RefundBreakdown,
): Promise<void> {
  await postJournal(tx, {
    currency: payment.currency,
    memo: "refund",
    bookingId: payment.bookingId,
    paymentId: payment.paymentId,
    lines: refundLines(refundParts(breakdown)),
  });
}

/** Inside the confirming transaction: the host's payout, due PAYOUT_DELAY after local check-in. */
export async function schedulePayout(
  tx: Tx,
  effects: Effects,
  app: App,
  booking: { id: string; hostId: string },
  snapshot: BookingSnapshot,
  checkInAt: Date,
): Promise<void> {
  const { amount, fee } = payoutFor(snapshot, { nights: 0, cleaningFee: 0 });
  const scheduledFor = new Date(checkInAt.getTime() + app.config.bookings.payoutDelayMs);
  const payout = await tx.payout.upsert({
    where: { bookingId: booking.id },
    create: {
      bookingId: booking.id,
      hostId: booking.hostId,
      currency: snapshot.quote.currency,
      amount,
      fee,
      scheduledFor,
    },
    update: {},
  });
  await effects.addJob(
    PAYOUT_TASK,
    { payoutId: payout.id },
    { runAt: scheduledFor, jobKey: `payout:${payout.id}`, maxAttempts: 25 },
  );
}

/**
 * Inside a unit of work that ends a booking: the provider is brought in line after commit
 * (void the hold, pay pending refunds), and a job does it again later if that fails.
 */
export async function settleAfterCommit(effects: Effects, app: App, bookingId: string): Promise<void> {
  await effects.addJob(
    SETTLE_TASK,
    { bookingId },
    { runAt: new Date(Date.now() + SETTLE_GRACE_MS), jobKey: `settle:${bookingId}`, maxAttempts: 25 },
  );
  effects.afterCommit(() => settlePayment(app, bookingId));
}

/**
 * Voids a hold whose booking ended unconfirmed and pays every PENDING refund. Idempotent: the
 * payment row is locked, the provider keys are our ids, and finished work is skipped.
 * Throws when the provider fails, so the job retries.
 */
export async function settlePayment(app: App, bookingId: string): Promise<void> {
  await unitOfWork(app, async (tx) => {
    const payment = await lockedPayment(tx, bookingId);
    if (!payment?.providerRef) return;
    const booking = await tx.booking.findUniqueOrThrow({
      where: { id: bookingId },
      select: { status: true },
    });
    const ended =
      booking.status === "DECLINED" || booking.status === "EXPIRED" || booking.status === "CANCELLED";
    if (ended && payment.status === "AUTHORIZED") {
      // A capture the provider made but our confirmation never recorded is refunded instead.
      await releaseHold(app.payments, {
        paymentId: payment.id,
        ref: payment.providerRef,
        amount: Number(payment.amount),
      });
      await tx.payment.update({
        where: { id: payment.id },
        data: { status: "VOIDED", voidedAt: app.clock.now() },
      });
    }
    const pending = await tx.refund.findMany({
      where: { paymentId: payment.id, status: "PENDING" },
      orderBy: { createdAt: "asc" },
    });
    let refunded = payment.refunded;
    for (const refund of pending) {
      const { ref } = await app.payments.refund({
        idempotencyKey: providerKeys.refund(refund.id),
        ref: payment.providerRef,
        amount: Number(refund.amount),
        reason: refund.reason,
      });
      await tx.refund.update({
        where: { id: refund.id },
        data: { status: "SUCCEEDED", providerRef: ref, succeededAt: app.clock.now() },
      });
      refunded += refund.amount;
      await recordRefundJournal(
        tx,
        { bookingId, paymentId: payment.id, currency: payment.currency },
        refund.breakdown as unknown as RefundBreakdown,
      );
    }
    if (pending.length) {
      await tx.payment.update({
        where: { id: payment.id },
        data: { refunded, status: refunded >= payment.captured ? "REFUNDED" : "PARTIALLY_REFUNDED" },
      });
    }
  });
}

/**
 * The payout job: pays the host their share as it stands after any refunds. Safe to run twice:
 * a payout that is no longer SCHEDULED is left alone, and the provider key is the payout's id.
 * Returns true when money was sent; the host's "payout sent" notice is written with it.
 */
export async function payOut(app: App, payoutId: string): Promise<boolean> {
  return unitOfWork(app, async (tx, effects) => {
    await tx.$queryRaw`SELECT id FROM payouts WHERE id = ${payoutId}::uuid FOR UPDATE`;
    const payout = await tx.payout.findUnique({ where: { id: payoutId } });
    if (payout?.status !== "SCHEDULED") return false;
    const payment = await tx.payment.findUnique({ where: { bookingId: payout.bookingId } });
    if (!payment || payment.captured === 0n) {
      await tx.payout.update({ where: { id: payoutId }, data: { status: "CANCELLED", amount: 0n, fee: 0n } });
      return false;
    }
    const refunds = await tx.refund.findMany({ where: { paymentId: payment.id } });
    const refunded = refunds.reduce(
      (sum, refund) => {
        const breakdown = refund.breakdown as unknown as RefundBreakdown;
        return {
          nights: sum.nights + breakdown.nights,
          cleaningFee: sum.cleaningFee + breakdown.cleaningFee,
        };
      },
      { nights: 0, cleaningFee: 0 },
    );
    const booking = await tx.booking.findUniqueOrThrow({
      where: { id: payout.bookingId },
      select: { quote: true },
    });
    const { hostShare, fee, amount } = payoutFor(readSnapshot(booking.quote), refunded);
    if (amount <= 0n) {
      await tx.payout.update({ where: { id: payoutId }, data: { status: "CANCELLED", amount: 0n, fee: 0n } });
      return false;
    }
    const { ref } = await app.payments.payout({
      idempotencyKey: providerKeys.payout(payout.id),
      hostId: payout.hostId,
      amount: Number(amount),
      currency: payout.currency,
      metadata: { payoutId: payout.id, bookingId: payout.bookingId },
    });
    await tx.payout.update({
      where: { id: payoutId },
      data: { status: "PAID", amount, fee, providerRef: ref, paidAt: app.clock.now() },
    });
    await postJournal(tx, {
      currency: payout.currency,
      memo: "payout",
      bookingId: payout.bookingId,
      payoutId: payout.id,
      lines: payoutLines({ hostShare, fee }),
    });
    await notify(tx, effects, {
      userId: payout.hostId,
      type: "payout.sent",
      title: "Payout sent",
      body: `${formatMoney(Number(amount), payout.currency)} is on its way to you.`,
      data: { payoutId, bookingId: payout.bookingId },
      link: `${app.config.appUrl}/payouts`,
      dedupeKey: `payout.sent:${payoutId}`,
    });
    return true;
  });
}
