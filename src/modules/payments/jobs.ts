// Background tasks of the payments module: settle ended bookings with the provider (void holds,
// pay refunds), pay hosts, and release authorizations no booking came of. All idempotent.
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import { notify } from "../notifications/service.ts";
import { formatMoney } from "../pricing/money.ts";
import { RECONCILE_TASK, reconcileAttempt } from "./authorization.ts";
import { PAYOUT_TASK, payOut, SETTLE_TASK, settlePayment } from "./service.ts";

async function notifyPayout(app: App, payoutId: string): Promise<void> {
  await unitOfWork(app, async (tx, effects) => {
    const payout = await tx.payout.findUniqueOrThrow({ where: { id: payoutId } });
    if (payout.status !== "PAID") return;
    await notify(tx, effects, {
      userId: payout.hostId,
      type: "payout.sent",
      title: "Payout sent",
      body: `${formatMoney(Number(payout.amount), payout.currency)} is on its way to you.`,
      data: { payoutId, bookingId: payout.bookingId },
      link: `${app.config.appUrl}/payouts`,
      dedupeKey: `payout.sent:${payoutId}`,
    });
  });
}

export const paymentTasks = (app: App): Record<string, Task> => ({
  [SETTLE_TASK]: async (payload) => settlePayment(app, (payload as { bookingId: string }).bookingId),
  [PAYOUT_TASK]: async (payload) => {
    const { payoutId } = payload as { payoutId: string };
    await payOut(app, payoutId);
    // Also after a retry whose payout committed before the notice: the dedupe key keeps it single.
    await notifyPayout(app, payoutId);
  },
  [RECONCILE_TASK]: async (payload) => reconcileAttempt(app, (payload as { attemptId: string }).attemptId),
});
