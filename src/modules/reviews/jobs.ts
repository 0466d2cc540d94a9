// Background task of the reviews module: publish a stay's hidden reviews when its window closes.
// Safe to run twice (it publishes only what is still hidden) and early (it comes back later).
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { PUBLISH_TASK, publishDueReviews } from "./publish.ts";

export const reviewTasks = (app: App): Record<string, Task> => ({
  [PUBLISH_TASK]: async (payload) => {
    const { bookingId } = payload as { bookingId: string };
    await publishDueReviews(app, bookingId);
  },
});
