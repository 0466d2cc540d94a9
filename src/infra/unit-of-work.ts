// One way to run a use case that writes: one transaction that every module involved
// writes through, jobs added inside it, and effects held until it commits.
//
// - afterCommit(fn): in-process work that is safe to lose (cache invalidation). Runs once,
//   after commit, never for a rolled-back attempt; a failure is logged, not thrown.
// - outbox({ topic, id, payload }): an event subscribers rely on. A graphile-worker job added
//   in the same transaction carries it (the outbox); after commit the event is published at
//   once and the job removed, so a crash or a Redis outage between commit and publish delays
//   the event (the job runs it a few seconds later, with retries) instead of losing it.
//   Delivery is at least once: subscribers treat events as "this changed", never as counts.
import { randomUUID } from "node:crypto";
import type { Task } from "graphile-worker";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "./db.ts";
import { type DatabaseErrorMeanings, mapDatabaseError, withRetries } from "./db-errors.ts";
import { addJob, type JobOptions } from "./jobs.ts";
import type { Logger } from "./logger.ts";
import type { PubSub, Topic, TopicId, TopicPayload } from "./pubsub.ts";

export type Tx = Prisma.TransactionClient;

export interface UnitOfWorkDeps {
  db: Db;
  pubsub: PubSub;
  logger: Logger;
}

export interface Effects {
  afterCommit(effect: () => unknown): void;
  /** An event for subscribers, delivered after commit and never lost (see the header). */
  outbox<K extends Topic>(event: { topic: K; id: TopicId<K>; payload: TopicPayload<K> }): void;
  addJob(task: string, payload: object, options?: JobOptions): Promise<void>;
}

export interface UnitOfWorkOptions {
  /** What unique, exclusion and check violations mean for this use case. */
  errors?: DatabaseErrorMeanings;
  isolationLevel?: Prisma.TransactionIsolationLevel;
}

interface OutboxEvent {
  topic: string;
  id: unknown;
  payload: unknown;
}

export const OUTBOX_TASK = "outbox_publish";
/** How long the outbox job waits for the in-process publish before doing it itself. */
const OUTBOX_GRACE_MS = 5_000;

export async function unitOfWork<T>(
  deps: UnitOfWorkDeps,
  work: (tx: Tx, effects: Effects) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  let afterCommit: Array<() => unknown> = [];
  let events: OutboxEvent[] = [];
  const outboxKey = `outbox:${randomUUID()}`;

  const result = await withRetries(() => {
    // A retried attempt starts with nothing held from the one that rolled back.
    afterCommit = [];
    events = [];
    return deps.db.$transaction(
      async (tx) => {
        const effects: Effects = {
          afterCommit: (effect) => void afterCommit.push(effect),
          outbox: (event) => void events.push(event),
          addJob: (task, payload, jobOptions) => addJob(tx, task, payload, jobOptions),
        };
        const value = await work(tx, effects);
        if (events.length) {
          await addJob(
            tx,
            OUTBOX_TASK,
            { events },
            { jobKey: outboxKey, runAt: new Date(Date.now() + OUTBOX_GRACE_MS), maxAttempts: 25 },
          );
        }
        return value;
      },
      { isolationLevel: options.isolationLevel, maxWait: 5_000, timeout: 15_000 },
    );
  }).catch((error: unknown) => mapDatabaseError(error, options.errors));

  for (const effect of afterCommit) {
    try {
      await effect();
    } catch (error) {
      deps.logger.error({ err: error }, "after-commit effect failed");
    }
  }
  if (events.length) await publishNow(deps, events, outboxKey);
  return result;
}

/** The fast path: publish, then drop the outbox job. On any failure the job stays and delivers. */
async function publishNow(deps: UnitOfWorkDeps, events: OutboxEvent[], outboxKey: string): Promise<void> {
  try {
    for (const event of events) await publishEvent(deps.pubsub, event);
    await deps.db.$executeRaw`SELECT graphile_worker.remove_job(${outboxKey})`;
  } catch (error) {
    deps.logger.warn({ err: error, outboxKey }, "event publish deferred to the outbox job");
  }
}

async function publishEvent(pubsub: PubSub, event: OutboxEvent): Promise<void> {
  // Topics are typed where they are raised; the job's JSON payload is the same shape.
  const publish = pubsub.publish as (topic: string, id: unknown, payload: unknown) => Promise<void>;
  await publish(event.topic, event.id, event.payload);
}

/** The outbox's worker task: publishes what a committed unit of work could not. */
export const outboxTask =
  (pubsub: PubSub): Task =>
  async (payload) => {
    const { events } = payload as { events: OutboxEvent[] };
    for (const event of events) await publishEvent(pubsub, event);
  };
