// Client idempotency keys on real PostgreSQL: replays, reuse, expiry, stored and released
// errors, concurrent duplicates and abandoned claims.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, badInput, type ErrorCode } from "../../src/core/errors.ts";
import { ManualClock } from "../../src/infra/clock.ts";
import {
  IDEMPOTENCY_TTL_MS,
  type IdempotencyCodec,
  type IdempotencyDeps,
  type IdempotencyScope,
  idempotent,
} from "../../src/infra/idempotency.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { factories } from "../helpers/factories.ts";

let t: TestApp;
let deps: IdempotencyDeps;
let alice: string;
let bob: string;
beforeAll(async () => {
  t = await startTestApp();
  deps = t.app;
  const make = factories(t);
  [alice, bob] = [(await make.user().create()).id, (await make.user().create()).id];
  // The work under test writes a real row here, so "ran once" is counted in the database.
  await t.app.db.$executeRaw`CREATE TABLE idem_probe (id serial PRIMARY KEY, label text NOT NULL)`;
});
afterAll(() => t.close());

interface Probe {
  id: number;
  label: string;
}

/** Stores the row's id and loads the row back, as a service stores an entity's id. */
const probeCodec: IdempotencyCodec<Probe> = {
  save: (probe) => probe.id,
  async load(stored) {
    const rows = await t.app.db.$queryRaw<Probe[]>`SELECT id, label FROM idem_probe WHERE id = ${stored}`;
    if (!rows[0]) throw new Error(`no probe ${String(stored)}`);
    return rows[0];
  },
};

/** A unit of work that counts its runs and writes one probe row labelled `label`. */
function work(label: string, options: { delayMs?: number; failFirst?: () => Error } = {}) {
  const stats = { runs: 0, active: 0, maxActive: 0 };
  const run = async (): Promise<Probe> => {
    stats.runs++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    try {
      await sleep(options.delayMs ?? 0);
      if (stats.runs === 1 && options.failFirst) throw options.failFirst();
      const rows = await t.app.db.$queryRaw<Probe[]>`
        INSERT INTO idem_probe (label) VALUES (${label}) RETURNING id, label`;
      return rows[0] as Probe;
    } finally {
      stats.active--;
    }
  };
  return { run, stats };
}

const probeRows = (label: string) =>
  t.app.db.$queryRaw<Probe[]>`SELECT id, label FROM idem_probe WHERE label = ${label}`;

const scopeFor = (userId: string, input: unknown = { listingId: "l1", guests: 2 }): IdempotencyScope => ({
  userId,
  key: randomUUID(),
  operation: "requestBooking",
  input,
});

const keyRow = (scope: IdempotencyScope) =>
  t.app.db.idempotencyKey.findUnique({ where: { userId_key: { userId: scope.userId, key: scope.key } } });

/** Turns the key's row back into a claim in progress since `createdAt`, as a process that died leaves it. */
const markInProgress = (scope: IdempotencyScope, createdAt: Date) => t.app.db.$executeRaw`
  UPDATE idempotency_keys SET completed_at = NULL, response = NULL, created_at = ${createdAt}
  WHERE user_id = ${scope.userId}::uuid AND key = ${scope.key}`;

describe("idempotent", () => {
  it("runs on first use and replays the stored response without running again", async () => {
    const scope = scopeFor(alice);
    const { run, stats } = work(randomUUID());
    const first = await idempotent(deps, scope, probeCodec, run);
    const again = await idempotent(deps, scope, probeCodec, run);
    expect(stats.runs).toBe(1);
    expect(again).toEqual(first);

    const row = await keyRow(scope);
    expect(row).toMatchObject({ operation: "requestBooking", response: { value: first.id } });
    expect(row?.requestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.completedAt).toBeInstanceOf(Date);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(IDEMPOTENCY_TTL_MS);
  });

  it("hashes the input canonically: the same fields in another order replay", async () => {
    const scope = scopeFor(alice, { b: 1, a: { y: [1, { q: 2, p: 1 }], x: "z" } });
    const { run, stats } = work(randomUUID());
    const first = await idempotent(deps, scope, probeCodec, run);
    const reordered = { ...scope, input: { a: { x: "z", y: [1, { p: 1, q: 2 }] }, b: 1 } };
    expect(await idempotent(deps, reordered, probeCodec, run)).toEqual(first);
    expect(stats.runs).toBe(1);
  });

  it("keeps a key 24 h by the injected clock, then treats it as new", async () => {
    const clock = new ManualClock(new Date("2031-03-01T10:00:00.000Z"));
    const timed = { ...deps, clock };
    const scope = scopeFor(alice);
    const { run, stats } = work(randomUUID());
    const first = await idempotent(timed, scope, probeCodec, run);

    clock.advance(IDEMPOTENCY_TTL_MS);
    expect(await idempotent(timed, scope, probeCodec, run)).toEqual(first);
    expect(stats.runs).toBe(1);

    clock.advance(1);
    const later = await idempotent(timed, scope, probeCodec, run);
    expect(stats.runs).toBe(2);
    expect(later.id).not.toBe(first.id);
    expect((await keyRow(scope))?.createdAt).toEqual(clock.now());
  });

  it("refuses the same key for another input or another operation, without running", async () => {
    const scope = scopeFor(alice);
    const { run, stats } = work(randomUUID());
    await idempotent(deps, scope, probeCodec, run);
    const reused = { code: "IDEMPOTENCY_KEY_REUSED" };
    await expect(
      idempotent(deps, { ...scope, input: { listingId: "l1", guests: 3 } }, probeCodec, run),
    ).rejects.toMatchObject(reused);
    await expect(
      idempotent(deps, { ...scope, operation: "cancelBooking" }, probeCodec, run),
    ).rejects.toMatchObject(reused);
    expect(stats.runs).toBe(1);
  });

  it("refuses another input at once while the first request is still running", async () => {
    const scope = scopeFor(alice);
    const slow = work(randomUUID(), { delayMs: 300 });
    const first = idempotent(deps, scope, probeCodec, slow.run);
    await sleep(50);
    const other = work(randomUUID());
    await expect(
      idempotent(deps, { ...scope, input: { other: true } }, probeCodec, other.run),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    await first;
    expect(other.stats.runs).toBe(0);
  });

  it("scopes keys to the user: another user's same key is independent", async () => {
    const scope = scopeFor(alice);
    const mine = work(randomUUID());
    const theirs = work(randomUUID());
    const a = await idempotent(deps, scope, probeCodec, mine.run);
    const b = await idempotent(deps, { ...scope, userId: bob, input: { other: 1 } }, probeCodec, theirs.run);
    expect([mine.stats.runs, theirs.stats.runs]).toEqual([1, 1]);
    expect(b.id).not.toBe(a.id);
  });

  it.each<ErrorCode>(["DATES_UNAVAILABLE", "PAYMENT_FAILED", "INVALID_STATE", "CONFLICT"])(
    "stores a decided %s and re-throws an equal error on replay without running",
    async (code) => {
      const scope = scopeFor(alice);
      const decided = new AppError(code, `decided: ${code}`, {
        fields: [{ path: "checkIn", message: "taken" }],
      });
      let runs = 0;
      const failing = async (): Promise<Probe> => {
        runs++;
        throw decided;
      };
      await expect(idempotent(deps, scope, probeCodec, failing)).rejects.toBe(decided);
      const replayed = await idempotent(deps, scope, probeCodec, failing).catch((error: unknown) => error);
      expect(runs).toBe(1);
      expect(replayed).toBeInstanceOf(AppError);
      expect(replayed).not.toBe(decided);
      expect(replayed).toEqual(decided);
      expect(replayed).toMatchObject({ code, message: decided.message, fields: decided.fields });
    },
  );

  it.each<[string, () => Error]>([
    ["BAD_USER_INPUT", () => badInput([{ path: "guests", message: "too many" }])],
    ["NOT_FOUND", () => new AppError("NOT_FOUND", "Listing not found")],
    ["FORBIDDEN", () => new AppError("FORBIDDEN", "Not allowed")],
    ["SERVICE_UNAVAILABLE", () => new AppError("SERVICE_UNAVAILABLE", "down", { retryAfter: 5 })],
    ["an unexpected error", () => new Error("bug")],
  ])("releases the key on %s, so a retry with it runs", async (_name, failure) => {
    const scope = scopeFor(alice);
    const error = failure();
    const { run, stats } = work(randomUUID(), { failFirst: () => error });
    await expect(idempotent(deps, scope, probeCodec, run)).rejects.toBe(error);
    expect(await keyRow(scope)).toBeNull();
    const retried = await idempotent(deps, scope, probeCodec, run);
    expect(stats.runs).toBe(2);
    expect(await idempotent(deps, scope, probeCodec, run)).toEqual(retried);
    expect(stats.runs).toBe(2);
  });
});

describe("idempotent under concurrency", () => {
  it("runs 20 concurrent identical requests once; all get the same value", async () => {
    const scope = scopeFor(alice);
    const label = randomUUID();
    const { run, stats } = work(label, { delayMs: 100 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => idempotent(deps, { ...scope }, probeCodec, run)),
    );
    expect(stats.runs).toBe(1);
    expect(await probeRows(label)).toHaveLength(1);
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    for (const result of results) expect(result).toEqual(results[0]);
  });

  it("hands a released key to one waiter: never two runs at once, one success for the rest", async () => {
    const scope = scopeFor(alice);
    const label = randomUUID();
    const { run, stats } = work(label, { delayMs: 100, failFirst: () => badInput([], "flaky") });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => idempotent(deps, { ...scope }, probeCodec, run)),
    );
    const failed = outcomes.filter((outcome) => outcome.status === "rejected");
    const values = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    expect(stats.maxActive).toBe(1);
    expect(stats.runs).toBe(2);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toMatchObject({ code: "BAD_USER_INPUT", message: "flaky" });
    expect(values).toHaveLength(19);
    const rows = await probeRows(label);
    expect(rows).toHaveLength(1);
    for (const value of values) expect(value).toEqual(rows[0]);
  });

  it("waits for a request in progress elsewhere and returns its stored response", async () => {
    const scope = scopeFor(alice);
    const { run, stats } = work(randomUUID());
    await idempotent(deps, scope, probeCodec, run);
    // In progress since a minute ago (not abandoned), then completed by "the other process".
    await markInProgress(scope, new Date(Date.now() - 60_000));
    const waiting = idempotent(deps, scope, probeCodec, run);
    await sleep(300);
    const [stored] = await t.app.db.$queryRaw<Probe[]>`
      INSERT INTO idem_probe (label) VALUES ('elsewhere') RETURNING id, label`;
    await t.app.db.idempotencyKey.update({
      where: { userId_key: { userId: scope.userId, key: scope.key } },
      data: { completedAt: new Date(), response: { value: stored!.id } },
    });
    expect(await waiting).toEqual(stored);
    expect(stats.runs).toBe(1);
  });

  it("takes over a claim abandoned 3 minutes ago by a process that died", async () => {
    const scope = scopeFor(alice);
    const { run, stats } = work(randomUUID());
    await idempotent(deps, scope, probeCodec, run);
    await markInProgress(scope, new Date(Date.now() - 3 * 60_000));
    const takenOver = await idempotent(deps, scope, probeCodec, run);
    expect(stats.runs).toBe(2);
    const row = await keyRow(scope);
    expect(row).toMatchObject({ response: { value: takenOver.id } });
    expect(Date.now() - row!.createdAt.getTime()).toBeLessThan(60_000);
  });
});
