// The benchmark's output: one table row per scenario on stdout (loops, then races), and the
// whole run as JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BurstResult } from "./burst.ts";
import type { LoadResult } from "./load.ts";
import type { MemoryFigures, ServerActivity } from "./probe.ts";
import type { RaceCheck } from "./race-check.ts";

export interface ScenarioReport {
  name: string;
  measures: string;
  load: LoadResult;
  server: ServerActivity;
  /** The server process after the scenario. */
  memory: MemoryFigures;
  /** The scenario of the same run this one is read against, when it ran too. */
  peer?: { name: string; requestsPerSecond: number };
}

export interface RaceReport {
  name: string;
  measures: string;
  burst: BurstResult;
  /** Rounds the clients sent, warm-up included (the database check covers them all). */
  roundsSent: number;
  server: ServerActivity;
  memory: MemoryFigures;
  check: RaceCheck;
}

export interface RunReport {
  date: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  settings: Record<string, string | number>;
  seed: { seconds: number; counts: Record<string, number> };
  scenarios: ScenarioReport[];
  races: RaceReport[];
}

const COLUMNS: Array<[string, (row: ScenarioReport) => string]> = [
  ["scenario", (row) => row.name],
  ["req/s", (row) => String(row.load.requestsPerSecond)],
  ["p50 ms", (row) => row.load.latencyMs.p50.toFixed(1)],
  ["p95 ms", (row) => row.load.latencyMs.p95.toFixed(1)],
  ["p99 ms", (row) => row.load.latencyMs.p99.toFixed(1)],
  ["errors", (row) => String(row.load.errors)],
  ["refused", (row) => String(row.load.refused)],
  ["SQL/req", (row) => row.server.statementsPerRequest.toFixed(1)],
  [
    "cache hit",
    (row) => (row.server.cache.hitRatio === null ? "-" : `${Math.round(row.server.cache.hitRatio * 100)}%`),
  ],
  ["CPU", (row) => `${row.server.cpuPercent}%`],
  ["client CPU", (row) => `${row.load.clientCpuPercent}%`],
  ["RSS MB", (row) => String(row.memory.rssMb)],
  ["peak RSS", (row) => String(row.memory.peakRssMb)],
  ["heap MB", (row) => String(row.memory.heapUsedMb)],
];

const RACE_COLUMNS: Array<[string, (row: RaceReport) => string]> = [
  ["scenario", (row) => row.name],
  ["rounds", (row) => String(row.burst.rounds.length)],
  ["attempts", (row) => String(row.burst.attempts)],
  ["winners", (row) => row.burst.rounds.map((round) => round.winners).join("/")],
  ["refused", (row) => String(row.burst.refused)],
  ["errors", (row) => String(row.burst.errors)],
  ["all answered ms (median)", (row) => row.burst.timeMs.median.toFixed(1)],
  ["max ms", (row) => row.burst.timeMs.max.toFixed(1)],
  ["request p50 ms", (row) => row.burst.latencyMs.p50.toFixed(1)],
  ["p99 ms", (row) => row.burst.latencyMs.p99.toFixed(1)],
  ["SQL/attempt", (row) => (row.server.statements / (row.roundsSent * row.burst.attempts)).toFixed(1)],
  ["one booking each", (row) => `${row.check.listingsWithOneBooking}/${row.check.listings}`],
  ["open auths", (row) => String(row.check.openAttempts)],
  ["live charges", (row) => String(row.check.liveCharges)],
  ["CPU", (row) => `${row.server.cpuPercent}%`],
];

export function formatTable(rows: readonly ScenarioReport[]): string {
  return tabulate(COLUMNS, rows);
}

export function formatRaceTable(rows: readonly RaceReport[]): string {
  return tabulate(RACE_COLUMNS, rows);
}

/** "request booking: 210 req/s, 19% of quote's 1,085": rows read against a peer of the same run. */
export function formatPeerNotes(rows: readonly ScenarioReport[]): string[] {
  return rows.flatMap((row) => {
    if (!row.peer) return [];
    const share = row.peer.requestsPerSecond ? row.load.requestsPerSecond / row.peer.requestsPerSecond : 0;
    return [
      `${row.name}: ${row.load.requestsPerSecond.toLocaleString("en")} req/s, ${Math.round(share * 100)}% of ` +
        `${row.peer.name}'s ${row.peer.requestsPerSecond.toLocaleString("en")} req/s in this run`,
    ];
  });
}

function tabulate<Row>(columns: Array<[string, (row: Row) => string]>, rows: readonly Row[]): string {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === 0 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join("  ");
  return [
    line(cells[0] ?? []),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}

export function formatRow(row: ScenarioReport): string {
  const codes = Object.entries(row.load.codes)
    .map(([code, count]) => `${code}×${count}`)
    .join(", ");
  const { p50, p95, p99 } = row.load.latencyMs;
  return (
    `${row.name}: ${row.load.requestsPerSecond} req/s, p50/p95/p99 ${p50}/${p95}/${p99} ms, ` +
    `${row.load.errors} errors${row.load.refused ? `, ${row.load.refused} refused` : ""}${codes ? ` (${codes})` : ""}, ` +
    `${row.server.statementsPerRequest} SQL/req, server CPU ${row.server.cpuPercent}% ` +
    `(event loop ${Math.round(row.server.eventLoopUtilization * 100)}%), pool waiting ${row.server.poolWaiting.mean} avg, ` +
    `RSS ${row.memory.rssMb} MB (peak ${row.memory.peakRssMb}), heap ${row.memory.heapUsedMb} MB after GC`
  );
}

export function formatRaceRow(row: RaceReport): string {
  const { burst, check } = row;
  const codes = Object.entries(burst.codes)
    .map(([code, count]) => `${code}×${count}`)
    .join(", ");
  return (
    `${row.name}: ${burst.rounds.length} rounds of ${burst.attempts}, winners ${burst.rounds.map((r) => r.winners).join("/")}, ` +
    `${burst.refused} refused, ${burst.errors} errors${codes ? ` (${codes})` : ""}; all answered in ` +
    `${burst.timeMs.median} ms median (${burst.timeMs.min}-${burst.timeMs.max}), requests p50/p99 ` +
    `${burst.latencyMs.p50}/${burst.latencyMs.p99} ms; database: ${check.listingsWithOneBooking}/${check.listings} ` +
    `listings with one booking, ${check.openAttempts} open authorizations, ${check.liveCharges} live charges`
  );
}

/** BENCH_OUTPUT=1 (or true) writes bench/results/latest.json; any other value is a file path. */
export function writeJson(report: RunReport, output: string): string {
  const path = ["1", "true", "yes"].includes(output.toLowerCase())
    ? fileURLToPath(new URL("./results/latest.json", import.meta.url))
    : resolve(output);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
