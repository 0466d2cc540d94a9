// Invalidations reach every app of a deployment (src/infra/cache-broadcast.ts): two apps on one
// Redis prefix, as two API processes would be, and a third on another prefix (another deployment).
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { eventually } from "../helpers/eventually.ts";

let a: TestApp;
let b: TestApp;
let other: TestApp;
beforeAll(async () => {
  const redisKeyPrefix = `roost-test:${randomBytes(6).toString("hex")}:`;
  a = await startTestApp({ redisKeyPrefix });
  b = await startTestApp({ redisKeyPrefix, databaseUrl: a.database.url });
  other = await startTestApp({ databaseUrl: a.database.url });
});
afterAll(async () => {
  await other?.close();
  await b?.close();
  await a?.close();
});

const heard = (t: TestApp) => {
  const calls: string[][] = [];
  const stop = t.app.cache.onInvalidated((namespaces) => calls.push([...namespaces]));
  return { calls, stop };
};

describe("cache invalidation broadcasts", () => {
  it.skipIf(!inject("redisUrl"))(
    "tell the other apps of the deployment, once, and the writer's own listeners before it returns",
    async () => {
      const [onA, onB, onOther] = [heard(a), heard(b), heard(other)];
      try {
        const namespace = `listing:${randomUUID()}`;
        await a.app.cache.invalidate(namespace, "search:anywhere");
        // The writer's listeners have it when invalidate returns.
        expect(onA.calls).toEqual([[namespace, "search:anywhere"]]);
        await eventually(() => onB.calls.length > 0, "B heard A's invalidation");
        expect(onB.calls).toEqual([[namespace, "search:anywhere"]]);

        // A later one from B: A hears it, and B does not hear its own twice.
        const second = `listing:${randomUUID()}`;
        await b.app.cache.invalidate(second);
        await eventually(() => onA.calls.length > 1, "A heard B's invalidation");
        expect(onA.calls[1]).toEqual([second]);
        // One channel, one connection: B gets messages in order, so once A's next one has reached
        // B, so has B's own echo of `second`, which it must have ignored.
        const third = `listing:${randomUUID()}`;
        await a.app.cache.invalidate(third);
        await eventually(() => onB.calls.length > 2, "B heard A's second invalidation");
        expect(onB.calls).toEqual([[namespace, "search:anywhere"], [second], [third]]);
        // Another deployment (another key prefix) hears none of it.
        expect(onOther.calls).toEqual([]);
      } finally {
        for (const listener of [onA, onB, onOther]) listener.stop();
      }
    },
  );
});
