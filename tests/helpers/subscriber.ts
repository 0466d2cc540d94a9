// An in-process subscriber on an app's pub/sub, live before it is handed over, whose events
// are awaited one by one with a bound. Closed by the test; the leak check insists.
import type { App } from "../../src/app.ts";
import type { Topic, TopicId, TopicPayload } from "../../src/infra/pubsub.ts";
import { trackOpen } from "./leak-check.ts";

export interface Subscriber<T> {
  /** The next event; rejects when none arrives within timeoutMs. */
  next(timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function subscribe<K extends Topic>(
  app: App,
  topic: K,
  id: TopicId<K>,
): Promise<Subscriber<TopicPayload<K>>> {
  const iterator = app.pubsub.subscribe(topic, id)[Symbol.asyncIterator]();
  // The first next() starts the subscription (the Redis SUBSCRIBE); it is the first event.
  let pending = iterator.next();
  const release = trackOpen(`pub/sub subscriber on ${topic}:${String(id)}`);
  await untilSubscribed(app, `${topic}:${String(id)}`);
  return {
    async next(timeoutMs = 5_000) {
      const result = await within(pending, timeoutMs, `no ${topic} event within ${timeoutMs} ms`);
      pending = iterator.next();
      if (result.done) throw new Error(`the ${topic} subscription ended`);
      return result.value;
    },
    async close() {
      await iterator.return?.();
      release();
    },
  };
}

/**
 * Waits until at least `processes` Redis connections listen on the app's channel for
 * `topic:id` (PUBSUB NUMSUB; channels are not keys, so the client's keyPrefix leaves them
 * alone). Without Redis the in-process listener is registered by the time next() returns.
 */
export async function untilSubscribed(app: App, channel: string, processes = 1): Promise<void> {
  if (!app.redis) return;
  const prefixed = app.config.redisKeyPrefix + channel;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [, count] = (await app.redis.pubsub("NUMSUB", prefixed)) as [string, number];
    if (Number(count) >= processes) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${processes} subscribers on ${prefixed}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The promise's value, or a rejection after timeoutMs (the timer cleared either way). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
