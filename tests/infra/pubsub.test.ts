// Pub/sub through Redis: events fan out to every process of a deployment and to no other deployment,
// and a subscription that ends on a closed connection is reported rather than thrown at the process.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAppPubSub } from "../../src/infra/pubsub.ts";
import { createRedis, redisReady } from "../../src/infra/redis.ts";
import type { CalendarChangedEvent } from "../../src/modules/listings/events.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { subscribe, within } from "../helpers/subscriber.ts";

const change = (listingId: string, to: string): CalendarChangedEvent => ({
  listingId,
  from: "2030-01-01",
  to,
});

describe.skipIf(!inject("redisUrl"))("pub/sub fan-out through Redis", () => {
  const prefix = `roost-test:${randomBytes(6).toString("hex")}:`;
  let a: TestApp;
  let b: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    [a, b, other] = await Promise.all([
      startTestApp({ redisKeyPrefix: prefix }),
      startTestApp({ redisKeyPrefix: prefix }),
      startTestApp(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it("delivers an event published by one process to a subscriber in another", async () => {
    const subscriber = await subscribe(b.app, "listingCalendarChanged", "l-1");
    await a.app.pubsub.publish("listingCalendarChanged", "l-1", change("l-1", "2030-01-03"));
    expect(await subscriber.next()).toEqual(change("l-1", "2030-01-03"));
    await subscriber.close();
  });

  it("keeps deployments with different key prefixes apart", async () => {
    const subscriber = await subscribe(other.app, "listingCalendarChanged", "l-2");
    // Live: an event of its own deployment arrives.
    await other.app.pubsub.publish("listingCalendarChanged", "l-2", change("l-2", "2030-01-02"));
    expect(await subscriber.next()).toEqual(change("l-2", "2030-01-02"));

    // The same topic and id from another deployment, then from its own. Redis delivers in the
    // order it ran the PUBLISHes, and the first was acknowledged before the second was sent:
    // had the foreign event reached this subscriber, it would be the next one.
    await a.app.pubsub.publish("listingCalendarChanged", "l-2", change("l-2", "2030-01-05"));
    await other.app.pubsub.publish("listingCalendarChanged", "l-2", change("l-2", "2030-01-09"));
    expect(await subscriber.next()).toEqual(change("l-2", "2030-01-09"));
    await subscriber.close();
  });

  it("can publish as soon as the app is created: its publisher is connected by then", async () => {
    const subscriber = await subscribe(b.app, "listingCalendarChanged", "l-3");
    const fresh = await startTestApp({ redisKeyPrefix: prefix });
    try {
      await fresh.app.pubsub.publish("listingCalendarChanged", "l-3", change("l-3", "2030-01-04"));
      expect(await subscriber.next()).toEqual(change("l-3", "2030-01-04"));
    } finally {
      await subscriber.close();
      await fresh.close();
    }
  });

  it("reports an UNSUBSCRIBE on a closed connection instead of leaving it to reject unhandled", async () => {
    // Shutdown with SSE clients still connected: a stream ends after the subscriber was closed.
    const redisUrl = inject("redisUrl") as string;
    const [publisher, subscriber] = [createRedis(redisUrl), createRedis(redisUrl, { subscriber: true })];
    let reported!: (error: unknown) => void;
    const failure = new Promise<unknown>((resolve) => {
      reported = resolve;
    });
    const pubsub = createAppPubSub({
      publish: publisher,
      subscribe: subscriber,
      channelPrefix: prefix,
      onSubscriptionError: reported,
    });
    try {
      await redisReady(publisher);
      const iterator = pubsub.subscribe("listingCalendarChanged", "l-4")[Symbol.asyncIterator]();
      // The first next() subscribes, and resolves with the first event.
      const first = iterator.next();
      // Each round trip to Redis is the pause between polls.
      const channel = `${prefix}listingCalendarChanged:l-4`;
      for (const deadline = Date.now() + 5_000; ;) {
        const [, count] = (await publisher.pubsub("NUMSUB", channel)) as [string, number];
        if (Number(count) > 0) break;
        if (Date.now() > deadline) throw new Error(`nobody subscribed to ${channel}`);
      }
      await pubsub.publish("listingCalendarChanged", "l-4", change("l-4", "2030-01-06"));
      expect((await first).value).toEqual(change("l-4", "2030-01-06"));
      // Dropped at once (QUIT is a command, which a subscriber-mode connection may refuse under load).
      subscriber.disconnect();
      await iterator.return?.();
      expect(String(await within(failure, 2_000, "the failed UNSUBSCRIBE was not reported"))).toMatch(
        /Connection is closed/,
      );
    } finally {
      subscriber.disconnect();
      await publisher.quit();
    }
  });
});
