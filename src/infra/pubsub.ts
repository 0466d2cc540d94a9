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

export function createAppPubSub(redis?: { publish: Redis; subscribe: Redis; channelPrefix: string }) {
  if (!redis) return createPubSub<PubSubChannels>();
  const target = createRedisEventTarget({ publishClient: redis.publish, subscribeClient: redis.subscribe });
  return createPubSub<PubSubChannels>({
    eventTarget: withTopicPrefix(target, redis.channelPrefix) as typeof target,
  });
}

/**
 * Redis channels are not covered by ioredis's keyPrefix: prefix topics ourselves so that
 * deployments sharing one Redis never see each other's events.
 */
function withTopicPrefix(inner: EventTarget, prefix: string): EventTarget {
  return {
    addEventListener: (type, listener, options) => inner.addEventListener(prefix + type, listener, options),
    removeEventListener: (type, listener, options) =>
      inner.removeEventListener(prefix + type, listener, options),
    dispatchEvent: (event) =>
      inner.dispatchEvent(new CustomEvent(prefix + event.type, { detail: (event as CustomEvent).detail })),
  };
}

export type PubSub = ReturnType<typeof createAppPubSub>;
