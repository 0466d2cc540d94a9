// The benchmark's output: one table row per scenario on stdout, and the whole run as JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult } from "./load.ts";
import type { MemoryFigures, ServerActivity } from "./probe.ts";

export interface ScenarioReport {
  name: string;
  measures: string;
  load: LoadResult;
  server: ServerActivity;
  /** The server process after the scenario. */
  memory: MemoryFigures;
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

export function formatTable(rows: readonly ScenarioReport[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
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

/** BENCH_OUTPUT=1 (or true) writes bench/results/latest.json; any other value is a file path. */
export function writeJson(report: RunReport, output: string): string {
  const path = ["1", "true", "yes"].includes(output.toLowerCase())
    ? fileURLToPath(new URL("./results/latest.json", import.meta.url))
    : resolve(output);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
