// Cache invalidations told to every process of the deployment over pub/sub, for the copies each
// keeps in process (graphql/local-answers.ts); the shared store's versions need no message.
// A process hears its own broadcasts too and ignores them: it told its listeners already.
import { randomUUID } from "node:crypto";
import type { Cache } from "./cache.ts";
import type { Logger } from "./logger.ts";
import type { PubSub } from "./pubsub.ts";

declare module "./pubsub.ts" {
  interface PubSubTopics {
    cacheInvalidated: [scope: "all", payload: { namespaces: string[]; from: string }];
  }
}

/** Wires `cache` to `pubsub` both ways; the returned function stops listening. */
export function broadcastInvalidations(cache: Cache, pubsub: PubSub, logger: Logger): () => Promise<void> {
  const self = randomUUID();
  cache.broadcast = (namespaces) =>
    pubsub.publish("cacheInvalidated", "all", { namespaces: [...namespaces], from: self });
  const messages = pubsub.subscribe("cacheInvalidated", "all")[Symbol.asyncIterator]();
  const listening = (async () => {
    for (;;) {
      const { value, done } = await messages.next();
      if (done) return;
      if (value.from !== self) cache.received(value.namespaces);
    }
  })().catch((error: unknown) => logger.error({ err: error }, "cache invalidation broadcasts lost"));
  return async () => {
    cache.broadcast = undefined;
    await messages.return?.();
    await listening;
  };
}
