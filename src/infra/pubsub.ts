// Pub/sub for subscriptions: Redis channels when REDIS_URL is set, so every API process
// sees every event; an in-process event target otherwise. Publish only after commit
// (unit-of-work.ts does it for use cases, through the outbox so that no event is lost).
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub } from "graphql-yoga";
import type { Redis } from "./redis.ts";

/**
 * Topics and their payloads, as `[id, payload]` tuples. Empty here: each module declares
 * its own topics by augmenting this interface (`declare module ".../infra/pubsub.ts"`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface PubSubTopics {}

type Topics = { [K in keyof PubSubTopics]: PubSubTopics[K] };
export type Topic = keyof Topics;
export type TopicId<K extends Topic> = Topics[K] extends [infer Id, unknown] ? Id : never;
export type TopicPayload<K extends Topic> = Topics[K] extends [unknown, infer Payload] ? Payload : never;

export interface PubSub {
  /** Resolves once the event is handed to every process (Redis acknowledged it); rejects if it was not. */
  publish<K extends Topic>(topic: K, id: TopicId<K>, payload: TopicPayload<K>): Promise<void>;
  subscribe<K extends Topic>(topic: K, id: TopicId<K>): AsyncIterable<TopicPayload<K>>;
}

export interface RedisPubSubClients {
  /** Fails fast while Redis is down (no offline queue), so a failed publish is seen. */
  publish: Redis;
  subscribe: Redis;
  channelPrefix: string;
  /** A SUBSCRIBE or UNSUBSCRIBE that failed (see withCaughtSubscriptions). */
  onSubscriptionError?: (error: unknown) => void;
}

/** Channel of one topic and id, as graphql-yoga's createPubSub names it. */
const channelOf = (topic: string, id: unknown) => `${topic}:${String(id)}`;

export function createAppPubSub(redis?: RedisPubSubClients): PubSub {
  if (!redis) {
    const local = createPubSub<Topics>();
    const publish = local.publish as (topic: string, id: unknown, payload: unknown) => void;
    return {
      publish: async (topic, id, payload) => publish(topic, id, payload),
      subscribe: (topic, id) => subscribeWith(local, topic, id),
    };
  }
  const target = createRedisEventTarget({
    publishClient: redis.publish,
    subscribeClient: withCaughtSubscriptions(redis.subscribe, redis.onSubscriptionError ?? (() => undefined)),
  });
  const remote = createPubSub<Topics>({
    eventTarget: withTopicPrefix(target, redis.channelPrefix) as typeof target,
  });
  return {
    async publish(topic, id, payload) {
      // Published here rather than through the event target, whose publish is fire-and-forget.
      await redis.publish.publish(
        redis.channelPrefix + channelOf(topic, id),
        JSON.stringify(payload ?? null),
      );
    },
    subscribe: (topic, id) => subscribeWith(remote, topic, id),
  };
}

function subscribeWith<K extends Topic>(
  pubsub: { subscribe: (...args: never[]) => unknown },
  topic: K,
  id: TopicId<K>,
): AsyncIterable<TopicPayload<K>> {
  const subscribe = pubsub.subscribe as (topic: string, id: unknown) => AsyncIterable<TopicPayload<K>>;
  return subscribe(topic, id);
}

/**
 * The event target SUBSCRIBEs and UNSUBSCRIBEs without awaiting or catching: a stream that
 * ends after the subscriber connection was closed (shutdown with SSE clients still connected)
 * rejects with "Connection is closed", unhandled, and Node exits at once. Caught here.
 */
function withCaughtSubscriptions(redis: Redis, onError: (error: unknown) => void): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      if (property === "subscribe" || property === "unsubscribe") {
        return (...channels: string[]) => target[property](...channels).catch(onError);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
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
