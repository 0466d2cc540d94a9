// The read router (src/infra/read-routing.ts) on its own: who reads the replica, how long a write
// keeps its writer on the primary, and what a failing store or replica does. The store is the
// in-memory one on a clock the test moves; tests/scale/read-replica.test.ts runs it against a
// real streaming replica over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/infra/db.ts";
import { memoryStore } from "../../src/infra/kv.ts";
import { createLogger } from "../../src/infra/logger.ts";
import { createReadRouter, type ReadRouterOptions, type ReadSource } from "../../src/infra/read-routing.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
// A second client on the same database stands in for the replica: the router only picks one.
let replica: Database;
beforeAll(async () => {
  t = await startTestApp({ redis: false });
  replica = createDatabase({ url: t.database.url, max: 1 });
});
afterAll(async () => {
  await replica.close();
  await t.close();
});

function router(overrides: Partial<ReadRouterOptions> = {}) {
  let now = Date.parse("2027-01-01T00:00:00Z");
  const clock = {
    advance: (ms: number) => void (now += ms),
  };
  const options: ReadRouterOptions = {
    primary: t.app.db,
    replica: replica.prisma,
    store: memoryStore(() => now),
    windowMs: 5_000,
    logger: createLogger("silent"),
    ...overrides,
  };
  return { reads: createReadRouter(options), clock };
}
const where = (source: ReadSource) => (source.db === t.app.db ? "primary" : "replica");
const readsFrom = (reads: ReturnType<typeof router>["reads"], userId?: string) =>
  reads.read(userId, async (source) => ({ from: where(source), lagMs: source.lagMs }));

describe("the read router", () => {
  it("without a replica, reads the primary and marks nothing", async () => {
    const { reads } = router({ replica: undefined });
    expect(reads.maxLagMs).toBe(0);
    await reads.noteWrite("u1");
    expect(await readsFrom(reads)).toEqual({ from: "primary", lagMs: 0 });
    expect(await readsFrom(reads, "u1")).toEqual({ from: "primary", lagMs: 0 });
  });

  it("sends anonymous callers and users who did not write to the replica, with its allowed lag", async () => {
    const { reads } = router();
    expect(reads.maxLagMs).toBe(5_000);
    expect(await readsFrom(reads)).toEqual({ from: "replica", lagMs: 5_000 });
    expect(await readsFrom(reads, "u1")).toEqual({ from: "replica", lagMs: 5_000 });
  });

  it("keeps a writer, and only the writer, on the primary for the window after their write", async () => {
    const { reads, clock } = router();
    await reads.noteWrite("writer");
    expect((await readsFrom(reads, "writer")).from).toBe("primary");
    expect((await readsFrom(reads, "someone-else")).from).toBe("replica");
    clock.advance(4_000);
    expect((await readsFrom(reads, "writer")).from).toBe("primary");
    clock.advance(1_001);
    expect((await readsFrom(reads, "writer")).from).toBe("replica");
  });

  it("marks nothing when the window is 0", async () => {
    const { reads } = router({ windowMs: 0 });
    await reads.noteWrite("writer");
    expect((await readsFrom(reads, "writer")).from).toBe("replica");
  });

  it("reads the primary for a signed-in caller when the store cannot say whether they wrote", async () => {
    const broken = { ...memoryStore(), exists: () => Promise.reject(new Error("store down")) };
    const { reads } = router({ store: broken });
    expect((await readsFrom(reads, "u1")).from).toBe("primary");
    expect((await readsFrom(reads)).from).toBe("replica");
  });

  it("reruns a read on the primary when the replica is unreachable, and skips it for a while", async () => {
    const { reads } = router({ replicaRetryMs: 60_000 });
    const tried: string[] = [];
    const answer = await reads.read(undefined, async (source) => {
      tried.push(where(source));
      if (where(source) === "replica") throw Object.assign(new Error("connect"), { code: "ECONNREFUSED" });
      return "answered";
    });
    expect(answer).toBe("answered");
    expect(tried).toEqual(["replica", "primary"]);
    expect((await readsFrom(reads)).from).toBe("primary");
  });

  it("does not hide a replica's refusal of the statement itself", async () => {
    const { reads } = router();
    const failing = reads.read(undefined, async () => {
      throw new Error("syntax error at or near SELEC");
    });
    await expect(failing).rejects.toThrow(/syntax error/);
    expect((await readsFrom(reads)).from).toBe("replica");
  });
});
