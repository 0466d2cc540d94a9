import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

/** Resolves with the first event on the topic, or undefined after the timeout. */
async function firstEvent(app: TestApp, listingId: string, timeoutMs: number) {
  const iterator = app.app.pubsub.subscribe("listingCalendarChanged", listingId)[Symbol.asyncIterator]();
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs));
  try {
    return await Promise.race([iterator.next().then((result) => result.value), timeout]);
  } finally {
    await iterator.return?.();
  }
}

describe("pub/sub fan-out through Redis", () => {
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

  it("delivers an event published by one process to a subscriber in another", async ({ skip }) => {
    if (!a.app.redis) skip("no REDIS_URL in this run");
    const payload = { listingId: "l-1", from: "2030-01-01", to: "2030-01-03" };
    const received = firstEvent(b, "l-1", 3_000);
    // The subscriber needs a moment to SUBSCRIBE before the first publish.
    await new Promise((resolve) => setTimeout(resolve, 200));
    a.app.pubsub.publish("listingCalendarChanged", "l-1", payload);
    expect(await received).toEqual(payload);
  });

  it("keeps deployments with different key prefixes apart", async ({ skip }) => {
    if (!a.app.redis) skip("no REDIS_URL in this run");
    const received = firstEvent(other, "l-2", 700);
    await new Promise((resolve) => setTimeout(resolve, 200));
    a.app.pubsub.publish("listingCalendarChanged", "l-2", {
      listingId: "l-2",
      from: "2030-01-01",
      to: "2030-01-02",
    });
    expect(await received).toBeUndefined();
  });
});
