// What a payment provider tells us after the fact (webhooks), in our own words, and how such an
// event is recorded once and applied in the same transaction, so a replay changes nothing.
import type { App } from "../../app.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";

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
 * A stand-in that moves only what the webhook tests need (refund rows, voids); the payments
 * module replaces it with the real transitions and their ledger journals.
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
      app.logger.info({ ref: event.ref, voided: count }, "provider event: authorization canceled");
      return;
    }
    default:
      app.logger.info({ kind: event.kind, ref: event.ref }, "provider event: nothing to apply yet");
  }
}

async function applyRefunds(
  tx: Tx,
  app: App,
  event: Extract<ProviderEvent, { kind: "refunded" }>,
): Promise<void> {
  // Locked: two events carrying the same refund must not both find it missing.
  const [payment] = await tx.$queryRaw<Array<{ id: string; captured: bigint; refunded: bigint }>>`
    SELECT id, captured, refunded FROM payments WHERE provider_ref = ${event.ref} FOR UPDATE`;
  if (!payment) {
    app.logger.warn({ ref: event.ref }, "provider event: refund for an unknown payment");
    return;
  }
  const known = await tx.refund.findMany({
    where: { providerRef: { in: event.refunds.map((refund) => refund.ref) } },
    select: { providerRef: true },
  });
  const knownRefs = new Set(known.map((refund) => refund.providerRef));
  const fresh = event.refunds.filter((refund) => !knownRefs.has(refund.ref) && refund.amount > 0);
  if (fresh.length === 0) return;

  const now = app.clock.now();
  await tx.refund.createMany({
    data: fresh.map((refund) => ({
      paymentId: payment.id,
      amount: BigInt(refund.amount),
      reason: "provider",
      status: "SUCCEEDED" as const,
      providerRef: refund.ref,
      succeededAt: now,
    })),
  });
  const refunded = payment.refunded + fresh.reduce((sum, refund) => sum + BigInt(refund.amount), 0n);
  // TODO(lead): ledger journal (GUEST_FUNDS / REFUNDS) for the refunded amount.
  await tx.payment.update({
    where: { id: payment.id },
    data: { refunded, status: refunded >= payment.captured ? "REFUNDED" : "PARTIALLY_REFUNDED" },
  });
}
