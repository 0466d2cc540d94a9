// unitOfWork on real PostgreSQL and Redis: effects only after commit, events through the outbox.
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { createAppPubSub, type PubSub } from "../../src/infra/pubsub.ts";
import { createRedis } from "../../src/infra/redis.ts";
import { OUTBOX_TASK, type Tx, unitOfWork } from "../../src/infra/unit-of-work.ts";
import type { CalendarChangedEvent } from "../../src/modules/listings/events.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { jobsCompleted, queuedJobs } from "../helpers/jobs.ts";
import { subscribe } from "../helpers/subscriber.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // A table of this file's own, so the units under test write plain rows and nothing else.
  await t.app.db.$executeRaw`CREATE TABLE uow_probe (id text PRIMARY KEY, n int NOT NULL)`;
});
afterAll(() => t.close());

const insertProbe = (tx: Tx, id: string, n = 1) => tx.$executeRaw`INSERT INTO uow_probe VALUES (${id}, ${n})`;

/** The row's value as another connection sees it: only once committed. */
async function committedN(id: string): Promise<number | null> {
  const rows = await t.app.db.$queryRaw<Array<{ n: number }>>`SELECT n FROM uow_probe WHERE id = ${id}`;
  return rows[0]?.n ?? null;
}

/** An event on the listingCalendarChanged topic (any topic would do), told apart by `to`. */
const event = (listingId: string, to: string): CalendarChangedEvent => ({
  listingId,
  from: "2030-01-01",
  to,
});

const outboxJobs = () => queuedJobs(t.app.db, OUTBOX_TASK);

describe("afterCommit", () => {
  it("runs each effect once, after the commit", async () => {
    const id = randomUUID();
    const seen: Array<number | null> = [];
    const result = await unitOfWork(t.app, async (tx, effects) => {
      await insertProbe(tx, id);
      effects.afterCommit(async () => void seen.push(await committedN(id)));
      effects.afterCommit(async () => void seen.push(await committedN(id)));
      return "done";
    });
    expect(result).toBe("done");
    expect(seen).toEqual([1, 1]);
  });

  it("runs none when the work throws, and rethrows the work's error", async () => {
    const id = randomUUID();
    const refused = new Error("refused");
    let ran = 0;
    const outcome = unitOfWork(t.app, async (tx, effects) => {
      await insertProbe(tx, id);
      effects.afterCommit(() => ran++);
      await effects.addJob("send_email", { probe: id });
      throw refused;
    });
    await expect(outcome).rejects.toBe(refused);
    expect(ran).toBe(0);
    expect(await committedN(id)).toBeNull();
    expect(await queuedJobs(t.app.db, "send_email")).toEqual([]);
  });

  it("runs none when the database refuses the work, whose error it maps", async () => {
    const id = randomUUID();
    await unitOfWork(t.app, (tx) => insertProbe(tx, id));
    const taken = new AppError("CONFLICT", "That id is taken");
    let ran = 0;
    const outcome = unitOfWork(
      t.app,
      async (tx, effects) => {
        effects.afterCommit(() => ran++);
        await insertProbe(tx, id); // a unique violation
      },
      { errors: { unique: taken } },
    );
    await expect(outcome).rejects.toBe(taken);
    expect(ran).toBe(0);
  });

  it("logs a failing effect instead of throwing, and still runs the next ones", async () => {
    let ran = 0;
    const result = await unitOfWork(t.app, async (_tx, effects) => {
      effects.afterCommit(() => {
        throw new Error("cache down");
      });
      effects.afterCommit(() => ran++);
      return 42;
    });
    expect(result).toBe(42);
    expect(ran).toBe(1);
  });

  it("after a serialization retry, runs and publishes the last attempt's effects only, once", async () => {
    const id = randomUUID();
    await unitOfWork(t.app, (tx) => insertProbe(tx, id));
    const subscriber = await subscribe(t.app, "listingCalendarChanged", id);
    const effectsOf: number[] = [];
    let attempts = 0;
    await unitOfWork(
      t.app,
      async (tx, effects) => {
        const attempt = ++attempts;
        effects.afterCommit(() => effectsOf.push(attempt));
        effects.outbox({ topic: "listingCalendarChanged", id: id, payload: event(id, `attempt ${attempt}`) });
        // The snapshot is taken here; a change committed by another connection after it makes
        // this transaction's update of the same row fail with SQLSTATE 40001 (then retried).
        await tx.$queryRaw`SELECT n FROM uow_probe WHERE id = ${id}`;
        if (attempt === 1) await t.app.db.$executeRaw`UPDATE uow_probe SET n = n + 10 WHERE id = ${id}`;
        await tx.$executeRaw`UPDATE uow_probe SET n = n + 1 WHERE id = ${id}`;
      },
      { isolationLevel: "RepeatableRead" },
    );
    expect(attempts).toBe(2);
    expect(effectsOf).toEqual([2]);
    expect(await committedN(id)).toBe(12);

    expect(await subscriber.next()).toEqual(event(id, "attempt 2"));
    // A marker published now comes next if nothing else was published before it.
    await t.app.pubsub.publish("listingCalendarChanged", id, event(id, "marker"));
    expect(await subscriber.next()).toEqual(event(id, "marker"));
    expect(await outboxJobs()).toEqual([]);
    await subscriber.close();
  });
});

describe("publish", () => {
  it("hands events to pub/sub once the unit has committed, never while the work runs", async () => {
    const id = randomUUID();
    const subscriber = await subscribe(t.app, "listingCalendarChanged", id);
    // The app's pub/sub, noting what other connections see at the moment an event is handed over.
    const committedAtPublish: Array<number | null> = [];
    const pubsub: PubSub = {
      subscribe: t.app.pubsub.subscribe,
      async publish(topic, eventId, payload) {
        committedAtPublish.push(await committedN(id));
        await t.app.pubsub.publish(topic, eventId, payload);
      },
    };
    await unitOfWork({ ...t.app, pubsub }, async (tx, effects) => {
      await insertProbe(tx, id);
      effects.outbox({ topic: "listingCalendarChanged", id: id, payload: event(id, "changed") });
      // Published directly while the unit is open: it must arrive before the unit's event.
      await t.app.pubsub.publish("listingCalendarChanged", id, event(id, "marker"));
    });
    expect(await subscriber.next()).toEqual(event(id, "marker"));
    expect(await subscriber.next()).toEqual(event(id, "changed"));
    expect(committedAtPublish).toEqual([1]);
    await subscriber.close();
  });

  it("never publishes for a unit that rolled back, and leaves no outbox job", async () => {
    const id = randomUUID();
    const subscriber = await subscribe(t.app, "listingCalendarChanged", id);
    const outcome = unitOfWork(t.app, async (tx, effects) => {
      effects.outbox({ topic: "listingCalendarChanged", id: id, payload: event(id, "rolled back") });
      await insertProbe(tx, id);
      throw new Error("refused");
    });
    await expect(outcome).rejects.toThrow("refused");
    await t.app.pubsub.publish("listingCalendarChanged", id, event(id, "marker"));
    expect(await subscriber.next()).toEqual(event(id, "marker"));
    expect(await outboxJobs()).toEqual([]);
    await subscriber.close();
  });
});

describe("outbox", () => {
  it("commits an outbox job with the unit and removes it once the event is published", async () => {
    const id = randomUUID();
    const subscriber = await subscribe(t.app, "listingCalendarChanged", id);
    const jobsAtPublish: Array<Array<{ key: string | null }>> = [];
    const pubsub: PubSub = {
      subscribe: t.app.pubsub.subscribe,
      async publish(topic, eventId, payload) {
        jobsAtPublish.push(await outboxJobs());
        await t.app.pubsub.publish(topic, eventId, payload);
      },
    };
    await unitOfWork({ ...t.app, pubsub }, async (_tx, effects) => {
      effects.outbox({ topic: "listingCalendarChanged", id: id, payload: event(id, "changed") });
    });
    expect(jobsAtPublish).toEqual([[expect.objectContaining({ key: expect.stringMatching(/^outbox:/) })]]);
    expect(await subscriber.next()).toEqual(event(id, "changed"));
    expect(await outboxJobs()).toEqual([]);
    await subscriber.close();
  });

  it.skipIf(!inject("redisUrl"))(
    "keeps the events when publishing fails after commit, and the worker delivers them",
    async () => {
      const id = randomUUID();
      const subscriber = await subscribe(t.app, "listingCalendarChanged", id);
      // The same pub/sub as the app's, but its publisher's Redis is a closed port: down.
      const down = createRedis(`redis://127.0.0.1:${await closedPort()}`);
      down.on("error", () => undefined);
      const unreachable = createAppPubSub({
        publish: down,
        subscribe: down,
        channelPrefix: t.app.config.redisKeyPrefix,
      });
      try {
        const result = await unitOfWork({ ...t.app, pubsub: unreachable }, async (tx, effects) => {
          await insertProbe(tx, id);
          effects.outbox({ topic: "listingCalendarChanged", id: id, payload: event(id, "first") });
          effects.outbox({ topic: "listingCalendarChanged", id: id, payload: event(id, "second") });
          return "committed";
        });
        expect(result).toBe("committed");
        expect(await committedN(id)).toBe(1);
        const jobs = await outboxJobs();
        expect(jobs).toEqual([
          expect.objectContaining({ key: expect.stringMatching(/^outbox:/), attempts: 0 }),
        ]);
        await t.app.pubsub.publish("listingCalendarChanged", id, event(id, "marker"));
        expect(await subscriber.next()).toEqual(event(id, "marker"));

        // A worker whose pub/sub works runs the job; it waits OUTBOX_GRACE_MS for the
        // in-process publish, so move it to now (graphile-worker's reschedule_jobs).
        const runner = await t.startWorker();
        const ran = jobsCompleted(runner, 1, (job) => job.task_identifier === OUTBOX_TASK);
        await t.app.db.$executeRaw`
          SELECT FROM graphile_worker.reschedule_jobs(ARRAY[${jobs[0]?.id}]::bigint[], run_at => now())`;
        expect(await subscriber.next(10_000)).toEqual(event(id, "first"));
        expect(await subscriber.next()).toEqual(event(id, "second"));
        await ran;
        await expect.poll(outboxJobs, { timeout: 5_000 }).toEqual([]);
      } finally {
        down.disconnect();
        await subscriber.close();
      }
    },
  );
});

/** A local TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}
