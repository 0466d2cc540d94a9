// Authorizing a guest's payment before their booking exists, and undoing it when no booking
// comes of it. The attempt row is committed before the provider is asked, so every
// authorization the provider holds has a row here: a crash between the provider's answer and
// the booking's commit leaves an OPEN attempt that the reconciliation job voids.
import type { App } from "../../app.ts";
import { AppError } from "../../core/errors.ts";
import type { PaymentAttempt } from "../../generated/prisma/client.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { PaymentDeclinedError, ProviderUnavailableError, providerKeys, releaseHold } from "./provider.ts";

/** How long an attempt may stay OPEN before the reconciliation job releases it. */
export const RECONCILE_AFTER_MS = 10 * 60 * 1000;
export const RECONCILE_TASK = "payments_reconcile_attempt";
const reconcileKey = (attemptId: string) => `reconcile:${attemptId}`;

export interface AuthorizationRequest {
  bookingId: string;
  guestId: string;
  listingId: string;
  paymentMethod: string;
  amount: number;
  currency: string;
  description: string;
}

export interface HeldAuthorization {
  attempt: PaymentAttempt;
  ref: string;
}

/** PAYMENT_FAILED; the provider's decline code, when there is one, names the cause on `path`. */
export const paymentFailed = (message: string, declineCode?: string, path = "paymentMethod"): AppError =>
  new AppError(
    "PAYMENT_FAILED",
    message,
    declineCode ? { fields: [{ path, message: `declined by the provider: ${declineCode}` }] } : undefined,
  );

export const providerUnavailable = (): AppError =>
  new AppError("SERVICE_UNAVAILABLE", "The payment provider is unavailable; nothing was charged", {
    retryAfter: 30,
  });

/** Writes the attempt (and its reconciliation job), then asks the provider to hold the amount. */
export async function authorizePayment(app: App, request: AuthorizationRequest): Promise<HeldAuthorization> {
  const attempt = await unitOfWork(app, async (tx, effects) => {
    const row = await tx.paymentAttempt.create({
      data: {
        bookingId: request.bookingId,
        guestId: request.guestId,
        listingId: request.listingId,
        provider: app.payments.name,
        method: request.paymentMethod,
        currency: request.currency,
        amount: BigInt(request.amount),
      },
    });
    await effects.addJob(
      RECONCILE_TASK,
      { attemptId: row.id },
      { runAt: new Date(Date.now() + RECONCILE_AFTER_MS), jobKey: reconcileKey(row.id), maxAttempts: 25 },
    );
    return row;
  });
  try {
    const { ref } = await app.payments.authorize({
      idempotencyKey: providerKeys.authorize(attempt.id),
      paymentMethod: request.paymentMethod,
      amount: request.amount,
      currency: request.currency,
      description: request.description,
      metadata: {
        bookingId: request.bookingId,
        paymentId: attempt.id,
        guestId: request.guestId,
        listingId: request.listingId,
      },
    });
    return { attempt, ref };
  } catch (error) {
    if (error instanceof PaymentDeclinedError) {
      await markAttempt(app, attempt.id, "FAILED", error.declineCode);
      throw paymentFailed("The payment method was declined", error.declineCode);
    }
    if (error instanceof ProviderUnavailableError) {
      // Unknown whether the provider holds anything: the reconciliation job finds out.
      if (error.notApplied) await markAttempt(app, attempt.id, "FAILED", "provider_unavailable");
      throw providerUnavailable();
    }
    throw error;
  }
}

/**
 * Inside the booking's transaction: the attempt becomes the booking's payment (same id). If the
 * reconciliation job released the attempt meanwhile, the booking cannot commit with it.
 */
export async function attachPayment(tx: Tx, held: HeldAuthorization): Promise<void> {
  const { attempt, ref } = held;
  const claimed = await tx.paymentAttempt.updateMany({
    where: { id: attempt.id, status: "OPEN" },
    data: { status: "ATTACHED", providerRef: ref },
  });
  if (claimed.count !== 1) throw paymentFailed("The payment authorization lapsed; please try again");
  // Settled here: the reconciliation job would find nothing to do.
  await tx.$executeRaw`SELECT graphile_worker.remove_job(${reconcileKey(attempt.id)})`;
  await tx.payment.create({
    data: {
      id: attempt.id,
      bookingId: attempt.bookingId,
      provider: attempt.provider,
      providerRef: ref,
      method: attempt.method,
      status: "AUTHORIZED",
      currency: attempt.currency,
      amount: attempt.amount,
    },
  });
}

/**
 * No booking came of the authorization (dates taken, a rule broke at commit): release it now.
 * If the provider cannot be reached the attempt stays OPEN and the reconciliation job retries.
 */
export async function releaseAuthorization(app: App, held: HeldAuthorization): Promise<void> {
  try {
    await releaseHold(app.payments, {
      paymentId: held.attempt.id,
      ref: held.ref,
      amount: Number(held.attempt.amount),
    });
    await markAttempt(app, held.attempt.id, "VOIDED");
  } catch (error) {
    app.logger.warn(
      { err: error, attemptId: held.attempt.id },
      "authorization release deferred to reconciliation",
    );
  }
}

async function markAttempt(
  app: App,
  attemptId: string,
  status: "FAILED" | "VOIDED",
  failureCode?: string,
): Promise<void> {
  await app.db.paymentAttempt.updateMany({
    where: { id: attemptId, status: "OPEN" },
    data: { status, failureCode: failureCode ?? null },
  });
}

/**
 * The reconciliation job: an attempt still OPEN long after it was made belongs to a request
 * that died between the provider and our commit. Its authorization (learned again through the
 * same idempotency key) is voided. Safe to run twice: a settled attempt is left alone.
 */
export async function reconcileAttempt(app: App, attemptId: string): Promise<void> {
  await unitOfWork(app, async (tx) => {
    await tx.$queryRaw`SELECT id FROM payment_attempts WHERE id = ${attemptId}::uuid FOR UPDATE`;
    const attempt = await tx.paymentAttempt.findUnique({ where: { id: attemptId } });
    if (!attempt || attempt.status !== "OPEN") return;
    const booking = await tx.booking.findUnique({ where: { id: attempt.bookingId }, select: { id: true } });
    if (booking) {
      await tx.paymentAttempt.update({ where: { id: attemptId }, data: { status: "ATTACHED" } });
      return;
    }
    let ref = attempt.providerRef;
    if (!ref) {
      try {
        ({ ref } = await app.payments.authorize({
          idempotencyKey: providerKeys.authorize(attempt.id),
          paymentMethod: attempt.method,
          amount: Number(attempt.amount),
          currency: attempt.currency,
          metadata: {
            bookingId: attempt.bookingId,
            paymentId: attempt.id,
            guestId: attempt.guestId,
            listingId: attempt.listingId,
          },
        }));
      } catch (error) {
        if (!(error instanceof PaymentDeclinedError)) throw error;
        await tx.paymentAttempt.update({ where: { id: attemptId }, data: { status: "FAILED" } });
        return;
      }
    }
    const released = await releaseHold(app.payments, {
      paymentId: attempt.id,
      ref,
      amount: Number(attempt.amount),
    });
    await tx.paymentAttempt.update({
      where: { id: attemptId },
      data: { status: "VOIDED", providerRef: ref },
    });
    app.logger.warn(
      { attemptId, bookingId: attempt.bookingId, released },
      "released a payment no booking came of",
    );
  });
}
