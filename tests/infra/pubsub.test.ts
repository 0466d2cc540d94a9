// Pub/sub through Redis: events fan out to every process of a deployment and to no other deployment.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CalendarChangedEvent } from "../../src/modules/listings/events.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { subscribe } from "../helpers/subscriber.ts";

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
});
