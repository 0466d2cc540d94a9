// Background tasks of the bookings module: expire unanswered requests and complete stays. Each is
// safe to run twice: it re-reads the booking's state under a lock.
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { COMPLETE_TASK, completeBooking, EXPIRE_TASK, expireBooking } from "./lifecycle.ts";

const bookingIdOf = (payload: unknown): string => (payload as { bookingId: string }).bookingId;

export const bookingTasks = (app: App): Record<string, Task> => ({
  [EXPIRE_TASK]: async (payload) => void (await expireBooking(app, bookingIdOf(payload))),
  [COMPLETE_TASK]: async (payload) => void (await completeBooking(app, bookingIdOf(payload))),
});
