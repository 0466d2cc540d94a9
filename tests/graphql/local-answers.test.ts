// The response cache's in-process tier (src/graphql/local-answers.ts) on its own: what an
// invalidation drops, what a read spanning one may not keep, the TTL and the size bound. Across
// real processes: tests/scale/two-instances.test.ts ("shares the response cache").
import { describe, expect, it } from "vitest";
import { type LocalAnswer, LocalAnswers } from "../../src/graphql/local-answers.ts";

const answer = (tags: string[], size = 10): LocalAnswer => ({
  body: Buffer.alloc(size, 0x61),
  etag: `"${tags.join("+")}"`,
  tags,
});

function answers(options: { ttlMs?: number; maxBytes?: number } = {}) {
  let now = 1_000;
  const local = new LocalAnswers({
    ttlMs: options.ttlMs ?? 2_000,
    maxBytes: options.maxBytes ?? 1_000,
    now: () => now,
  });
  return { local, advance: (ms: number) => void (now += ms) };
}

describe("LocalAnswers", () => {
  it("serves what it was given until an invalidation names one of its namespaces", () => {
    const { local } = answers();
    local.put("lisbon", answer(["cell:38:-9", "listing:a"]), local.epoch);
    local.put("tokyo", answer(["cell:35:139", "listing:b"]), local.epoch);
    expect(local.get("lisbon")?.etag).toBe('"cell:38:-9+listing:a"');

    local.invalidate(["listing:a"]);
    expect(local.get("lisbon")).toBeUndefined();
    // An unrelated page stays.
    expect(local.get("tokyo")?.etag).toBe('"cell:35:139+listing:b"');
    local.invalidate(["cell:35:139", "user:x"]);
    expect(local.get("tokyo")).toBeUndefined();
    expect(local.size).toBe(0);
  });

  it("keeps nothing read across an invalidation: it may predate the write", () => {
    const { local } = answers();
    const before = local.epoch;
    // The read began, then a write somewhere invalidated (any namespace), then the read ended.
    local.invalidate(["listing:elsewhere"]);
    local.put("lisbon", answer(["listing:a"]), before);
    expect(local.get("lisbon")).toBeUndefined();
    local.put("lisbon", answer(["listing:a"]), local.epoch);
    expect(local.get("lisbon")).toBeDefined();
  });

  it("forgets an answer after its TTL even if no invalidation came (a lost broadcast)", () => {
    const { local, advance } = answers({ ttlMs: 2_000 });
    local.put("lisbon", answer(["listing:a"]), local.epoch);
    advance(1_999);
    expect(local.get("lisbon")).toBeDefined();
    advance(1);
    expect(local.get("lisbon")).toBeUndefined();
  });

  it("stays within its byte bound, dropping the oldest first, and refuses an answer too large for it", () => {
    const { local } = answers({ maxBytes: 100 });
    for (const key of ["a", "b", "c", "d", "e"]) local.put(key, answer([`listing:${key}`], 20), local.epoch);
    local.put("f", answer(["listing:f"], 20), local.epoch);
    expect(local.get("a")).toBeUndefined();
    expect(["b", "c", "d", "e", "f"].every((key) => local.get(key))).toBe(true);
    local.put("huge", answer(["listing:huge"], 60), local.epoch);
    expect(local.get("huge")).toBeUndefined();
    // Replacing an entry does not count it twice, and its old namespaces no longer reach it.
    local.put("b", answer(["listing:other"], 20), local.epoch);
    local.invalidate(["listing:b"]);
    expect(local.get("b")?.tags).toEqual(["listing:other"]);
  });
});
