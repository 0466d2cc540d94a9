// What a payment provider tells us after the fact (webhooks), in our own words, and how such an
// event is recorded once and applied in the same transaction, so a replay changes nothing.
import type { App } from "../../app.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import type { RefundBreakdown } from "../bookings/refund-policy.ts";
import { readSnapshot } from "../bookings/snapshot.ts";
import { proportionalBreakdown, recordRefundJournal, shrinkScheduledPayout } from "./service.ts";

export type ProviderEvent =
  | { kind: "authorized"; ref: string; amount: number }
  | { kind: "authorization_canceled"; ref: string }
  | { kind: "capture_succeeded"; ref: string; amount: number }
  | { kind: "payment_failed"; ref: string; code: string }
  | { kind: "refunded"; ref: string; refunds: Array<{ ref: string; amount: number }> };

export interface ProviderEventMeta {
  id: string;
  provider: string;
  type: string;
}

/** Records the event once (payment_provider_events) and applies it in the same transaction. "duplicate" for a replay. */
export async function recordProviderEvent(
  app: App,
  meta: ProviderEventMeta,
  event: ProviderEvent | undefined,
): Promise<"applied" | "duplicate" | "ignored"> {
  return unitOfWork(app, async (tx) => {
    // ON CONFLICT DO NOTHING rather than catching the unique violation: a failed statement
    // would abort the transaction. A concurrent delivery of the same event waits here for the
    // first one's commit (then sees its row) or rollback (then applies it itself).
    const { count } = await tx.paymentProviderEvent.createMany({
      data: [{ id: meta.id, provider: meta.provider, type: meta.type, receivedAt: app.clock.now() }],
      skipDuplicates: true,
    });
    if (count === 0) return "duplicate";
    if (!event) return "ignored";
    await applyProviderEvent(tx, app, event);
    return "applied";
  });
}

/**
 * What a provider event changes on our side. Our own moves (capture, void, refund) are recorded
 * when we make them; the events matter for what happened elsewhere: a hold that lapsed at the
 * provider, or a refund made from its dashboard.
 */
export async function applyProviderEvent(tx: Tx, app: App, event: ProviderEvent): Promise<void> {
  switch (event.kind) {
    case "refunded":
      return applyRefunds(tx, app, event);
    case "authorization_canceled": {
      const { count } = await tx.payment.updateMany({
        where: { providerRef: event.ref, status: "AUTHORIZED" },
        data: { status: "VOIDED", voidedAt: app.clock.now() },
      });
      if (count) app.logger.warn({ ref: event.ref }, "the provider released a hold we still held");
      return;
    }
    case "capture_succeeded":
    case "payment_failed":
    case "authorized":
      // Ours: recorded by the call that caused it. A capture we have not recorded means our
      // transaction failed after the provider's answer; the host's retry captures with the same key.
      app.logger.info({ kind: event.kind, ref: event.ref }, "provider event acknowledged");
  }
}

/** The suffix a cumulative refund total arrives under (toProviderEvent, when refunds are not listed). */
const TOTAL_REF_SUFFIX = ":total";

async function applyRefunds(
  tx: Tx,
  app: App,
  event: Extract<ProviderEvent, { kind: "refunded" }>,
): Promise<void> {
  // Locked: our own settling of this payment, and a second delivery, wait for each other.
  await tx.$queryRaw`SELECT id FROM payments WHERE provider_ref = ${event.ref} FOR UPDATE`;
  const payment = await tx.payment.findUnique({
    where: { providerRef: event.ref },
    include: { refunds: true },
  });
  if (!payment) {
    app.logger.warn({ ref: event.ref }, "provider event: refund for an unknown payment");
    return;
  }
  const knownRefs = new Set(payment.refunds.map((refund) => refund.providerRef));
  const succeeded = payment.refunds.filter((refund) => refund.status === "SUCCEEDED");
  const recorded = succeeded.reduce((sum, refund) => sum + refund.amount, 0n);
  const fresh = event.refunds.flatMap((refund) => {
    if (!refund.ref.endsWith(TOTAL_REF_SUFFIX)) {
      return knownRefs.has(refund.ref) || refund.amount <= 0
        ? []
        : [{ ref: refund.ref, amount: BigInt(refund.amount) }];
    }
    // A running total: what it adds to the refunds already recorded.
    const added = BigInt(refund.amount) - recorded;
    return added > 0n ? [{ ref: `${refund.ref}:${refund.amount}`, amount: added }] : [];
  });
  if (fresh.length === 0) return;

  const snapshot = readSnapshot(
    (await tx.booking.findUniqueOrThrow({ where: { id: payment.bookingId }, select: { quote: true } })).quote,
  );
  const now = app.clock.now();
  let refunded = payment.refunded;
  for (const refund of fresh) {
    // Ours, whose confirmation our own settling has not recorded yet: the same refund.
    const pending = payment.refunds.find((row) => row.status === "PENDING" && row.amount === refund.amount);
    const breakdown = pending
      ? (pending.breakdown as unknown as RefundBreakdown)
      : proportionalBreakdown(snapshot, Number(refund.amount));
    if (pending) {
      await tx.refund.update({
        where: { id: pending.id },
        data: { status: "SUCCEEDED", providerRef: refund.ref, succeededAt: now },
      });
      payment.refunds = payment.refunds.filter((row) => row.id !== pending.id);
    } else {
      await tx.refund.create({
        data: {
          paymentId: payment.id,
          amount: refund.amount,
          reason: "refunded at the provider",
          status: "SUCCEEDED",
          breakdown: { ...breakdown },
          providerRef: refund.ref,
          succeededAt: now,
        },
      });
      await shrinkScheduledPayout(tx, payment.bookingId, snapshot, payment.id);
    }
    await recordRefundJournal(
      tx,
      { bookingId: payment.bookingId, paymentId: payment.id, currency: payment.currency },
      breakdown,
    );
    refunded += refund.amount;
  }
  await tx.payment.update({
    where: { id: payment.id },
    data: { refunded, status: refunded >= payment.captured ? "REFUNDED" : "PARTIALLY_REFUNDED" },
  });
}
