// The key-value store's getCurrent, on Redis (a script, under the connection's key prefix) and in
// memory: a value comes back only while every version it recorded is still the current one.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type KeyValueStore, memoryStore, redisStore } from "../../src/infra/kv.ts";
import { createRedis, type Redis, redisReady } from "../../src/infra/redis.ts";

let redis: Redis;
const redisUrl = inject("redisUrl");
const prefix = `roost-test:${randomBytes(6).toString("hex")}:`;

beforeAll(async () => {
  if (!redisUrl) return;
  redis = createRedis(redisUrl, { keyPrefix: prefix });
  await redisReady(redis);
});
afterAll(async () => {
  if (!redisUrl) return;
  const keys = await redis.keys(`${prefix}*`);
  // KEYS answers with the prefix; DEL would add it again.
  if (keys.length) await redis.del(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
});

const stores: Array<[string, () => KeyValueStore]> = [
  ...(redisUrl ? [["redis", () => redisStore(redis)] as [string, () => KeyValueStore]] : []),
  ["memory", () => memoryStore()],
];

describe.each(stores)("getCurrent (%s)", (_name, make) => {
  const header = (tags: string[], versions: string[]) => JSON.stringify({ etag: '"x"', tags, versions });

  it("returns the value while its versions hold, null once one moves or the value is gone", async () => {
    const kv = make();
    const run = randomBytes(4).toString("hex");
    const [a, b] = [`a-${run}`, `b-${run}`];
    await kv.set(`v:${a}`, "1.aa", 60);
    // b was never bumped: its recorded version is "0".
    const value = `${header([a, b], ["1.aa", "0"])}\n{"data":{"line":"two\\nlines"}}`;
    await kv.set(`entry-${run}`, value, 60);
    expect((await kv.getCurrent(`entry-${run}`, "v:"))?.toString()).toBe(value);

    await kv.set(`v:${b}`, "2.bb", 60);
    expect(await kv.getCurrent(`entry-${run}`, "v:")).toBeNull();
    // The plain value is still there: only getCurrent judges it stale.
    expect(await kv.get(`entry-${run}`)).toBe(value);
    expect(await kv.getCurrent(`missing-${run}`, "v:")).toBeNull();
  });

  it("a value with no tags is current; a header with no body is read too", async () => {
    const kv = make();
    const run = randomBytes(4).toString("hex");
    await kv.set(`plain-${run}`, header([], []), 60);
    expect((await kv.getCurrent(`plain-${run}`, "v:"))?.toString()).toBe(header([], []));
  });
});

it.skipIf(!redisUrl)("on Redis the versions are read under the connection's key prefix", async () => {
  const kv = redisStore(redis);
  const run = randomBytes(4).toString("hex");
  const value = `${JSON.stringify({ tags: [run], versions: ["3.cc"] })}\nbody`;
  await kv.set(`entry-${run}`, value, 60);
  // Written without the prefix the version does not count: the entry is stale.
  const bare = createRedis(redisUrl ?? "");
  await redisReady(bare);
  try {
    await bare.set(`v:${run}`, "3.cc", "EX", 60);
    expect(await kv.getCurrent(`entry-${run}`, "v:")).toBeNull();
    await kv.set(`v:${run}`, "3.cc", 60);
    expect((await kv.getCurrent(`entry-${run}`, "v:"))?.toString()).toBe(value);
  } finally {
    await bare.del(`v:${run}`);
    await bare.quit();
  }
});
