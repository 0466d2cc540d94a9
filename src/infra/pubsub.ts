// Pub/sub for subscriptions: Redis channels when REDIS_URL is set, so every API process
// sees every event; an in-process event target otherwise. Publish only after commit.
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub } from "graphql-yoga";
import type { Redis } from "./redis.ts";

/** Topics and their payloads; the first element of a tuple is the topic's id. */
export type PubSubChannels = {
  notificationAdded: [userId: string, payload: { notificationId: string }];
  listingCalendarChanged: [listingId: string, payload: { listingId: string; from: string; to: string }];
};

export function createAppPubSub(redis?: { publish: Redis; subscribe: Redis }) {
  if (!redis) return createPubSub<PubSubChannels>();
  return createPubSub<PubSubChannels>({
    eventTarget: createRedisEventTarget({ publishClient: redis.publish, subscribeClient: redis.subscribe }),
  });
}

export type PubSub = ReturnType<typeof createAppPubSub>;
