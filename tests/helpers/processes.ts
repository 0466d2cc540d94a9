// Roost as real child processes (the API's src/main.ts, the worker's src/worker.ts, through tsx as
// `npm start` and `npm run worker` run them), with only the environment given: their JSON log lines
// kept and searchable, and each one stopped (SIGTERM, then SIGKILL) by stopAll even when a test
// failed. The leak check fails a file that leaves one running.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { eventually } from "./eventually.ts";
import { trackOpen } from "./leak-check.ts";

const root = resolve(import.meta.dirname, "../..");

export type LogLine = Record<string, unknown> & { msg?: string };

export interface RoostProcess {
  readonly name: string;
  readonly pid: number;
  /** Parsed JSON lines of its stdout, in order (other lines are kept as { msg }). */
  readonly logs: LogLine[];
  /** Its stderr, for failure messages. */
  stderr(): string;
  /** The first log line matching, once it is written; rejects if the process exits first. */
  waitForLog(matches: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<RoostProcess>();

/** Starts `entry` (e.g. "src/main.ts") with exactly `env` plus PATH and HOME. */
export function startRoostProcess(name: string, entry: string, env: Record<string, string>): RoostProcess {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const release = trackOpen(`child process ${name} (pid ${child.pid})`);
  const logs: LogLine[] = [];
  let pending = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let alive = true;
  const exited = (once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>).then(
    ([code, signal]) => {
      alive = false;
      running.delete(handle);
      release();
      return { code, signal };
    },
  );

  const handle: RoostProcess = {
    name,
    pid: child.pid,
    logs,
    stderr: () => stderr,
    exited,
    isRunning: () => alive,
    waitForLog(matches, what, timeoutMs = 60_000) {
      return eventually(
        () => {
          const found = logs.find(matches);
          if (found) return found;
          if (!alive) throw new Error(`${name} exited before ${what}:\n${stderr.slice(-2_000)}`);
          return undefined;
        },
        `${name}: ${what}`,
        { timeoutMs },
      );
    },
    kill(signal) {
      if (alive) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (!alive) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every process started here and still running, together. */
export async function stopAllRoostProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** The API's address, from its "Roost is serving" line. */
export async function servingUrl(api: RoostProcess): Promise<string> {
  const line = await api.waitForLog((entry) => entry.msg === "Roost is serving", "serving");
  return String(line.url);
}
