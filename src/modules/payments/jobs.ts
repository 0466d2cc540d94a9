// Background tasks of the payments module: settle ended bookings with the provider (void holds,
// pay refunds), pay hosts, and release authorizations no booking came of. All idempotent.
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { RECONCILE_TASK, reconcileAttempt } from "./authorization.ts";
import { PAYOUT_TASK, payOut, SETTLE_TASK, settlePayment } from "./service.ts";

export const paymentTasks = (app: App): Record<string, Task> => ({
  [SETTLE_TASK]: async (payload) => settlePayment(app, (payload as { bookingId: string }).bookingId),
  [PAYOUT_TASK]: async (payload) => {
    await payOut(app, (payload as { payoutId: string }).payoutId);
  },
  [RECONCILE_TASK]: async (payload) => reconcileAttempt(app, (payload as { attemptId: string }).attemptId),
});
