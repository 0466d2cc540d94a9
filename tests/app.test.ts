// createApp either hands over a working app or leaves nothing behind: a Redis that never
// answers fails start-up, and every connection it opened is closed.
import { randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

// A TCP server that accepts connections and never answers: Redis hung, not down.
const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  socket.resume(); // read (and drop) what clients send, so their closing is seen
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  port = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

/** Resolves once every connection to the silent server has closed (bounded). */
async function allClosed(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (sockets.size > 0 && Date.now() < deadline) {
    await Promise.race([
      new Promise((resolve) => [...sockets][0]?.once("close", resolve)),
      new Promise((resolve) => setTimeout(resolve, deadline - Date.now())),
    ]);
  }
  return sockets.size === 0;
}

describe("createApp", () => {
  it("fails when Redis never answers, and closes every connection it opened", async () => {
    const unreachableDb = "postgresql://postgres@127.0.0.1:1/roost";
    const config = loadConfig({
      NODE_ENV: "test",
      JWT_SECRET: randomBytes(32).toString("hex"),
      DATABASE_URL: unreachableDb,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DATA_DIR: join(tmpdir(), "roost-test-data"),
      LOG_LEVEL: "silent",
    });
    await expect(createApp(config, { databaseUrl: unreachableDb })).rejects.toThrow(/Redis did not answer/);
    expect(await allClosed(3_000)).toBe(true);
  }, 20_000);
});
