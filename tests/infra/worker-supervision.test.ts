// A worker pool that loses PostgreSQL while it completes a job (a restart, a failover): the
// process must not die of it, a new pool must take over once PostgreSQL is back, and the job must
// run again and complete. The worker reaches the real test database through a TCP relay this
// test can cut (refusing new connections, ending open ones), which is what a restart looks like
// from the worker's side.
import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Task } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addJob } from "../../src/infra/jobs.ts";
import { type SupervisedWorker, superviseWorker } from "../../src/infra/worker.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { eventually } from "../helpers/eventually.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** A relay from a local port to PostgreSQL that can be cut and restored on the same port. */
async function relayTo(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const listening = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      listening.once("error", reject);
      listening.listen(port, "127.0.0.1", () => {
        const address = listening.address();
        if (typeof address === "object" && address) port = address.port;
        server = listening;
        resolve();
      });
    });
  await open();
  return {
    url: (database: URL) => {
      const via = new URL(database);
      via.host = `127.0.0.1:${port}`;
      return via.toString();
    },
    /** New connections are refused and open ones end, at once. */
    cut() {
      server?.close();
      server = undefined;
      for (const socket of sockets) socket.destroy();
    },
    restore: open,
    close() {
      this.cut();
    },
  };
}

describe("a supervised worker", () => {
  it("survives PostgreSQL going away as a job completes: a new pool runs the job again, once", async () => {
    const databaseUrl = new URL(t.database.url);
    const relay = await relayTo(databaseUrl);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const runs: string[] = [];
    const jobKey = `supervision:${randomUUID()}`;
    // The first run cuts PostgreSQL off just before it returns, so the pool cannot record the
    // job as done; the relay comes back a little later, as a restarted server would.
    const tasks: Record<string, Task> = {
      supervision_probe: async () => {
        runs.push(supervised.current?.workerId ?? "none");
        if (runs.length === 1) {
          relay.cut();
          setTimeout(() => void relay.restore(), 1_000);
        }
      },
    };
    const supervised: SupervisedWorker = superviseWorker(
      t.app,
      {
        connectionString: relay.url(databaseUrl),
        concurrency: 1,
        pollInterval: 100,
        tasks,
        heartbeatTimeoutMs: 1_000,
      },
      { minMs: 100, maxMs: 500 },
    );
    try {
      await eventually(() => supervised.current, "the first pool started");
      await addJob(t.app.db, "supervision_probe", {}, { jobKey });
      const remaining = () =>
        t.app.db.$queryRaw<Array<{ n: number }>>`
          SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = ${jobKey}`;
      await eventually(
        async () => {
          // graphile-worker 0.17 left the completing query's promise unawaited: the process died.
          if (unhandled.length) throw unhandled[0];
          return runs.length >= 2 && (await remaining())[0]?.n === 0;
        },
        "the job ran again and completed",
        { timeoutMs: 20_000 },
      );
      // Two pools, one run each: the first could not complete the job, the second did.
      expect(runs).toHaveLength(2);
      expect(runs[1]).not.toBe(runs[0]);
      expect(supervised.current?.workerId).toBe(runs[1]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await supervised.stop();
      relay.close();
    }
    expect(supervised.current).toBeUndefined();
  }, 30_000);
});
