// The benchmark's output: one table row per scenario on stdout (loops, then races), and the
// whole run as JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BurstResult } from "./burst.ts";
import type { LoadResult } from "./load.ts";
import type { MemoryFigures, ServerActivity } from "./probe.ts";
import type { RaceCheck } from "./race-check.ts";
import type { PeerKind } from "./scenarios.ts";

export interface ScenarioReport {
  name: string;
  measures: string;
  load: LoadResult;
  server: ServerActivity;
  /** The bench process after the scenario (Roost's server, and the peers, run in it). */
  memory: MemoryFigures;
  /** On a peer's row: the scenario it ran beside, and which peer it is. */
  peerOf?: { scenario: string; kind: PeerKind };
  /** On a Roost row: what it is read against in this run, with its share of each one's req/s. */
  peers?: PeerShare[];
  /** A peer that could not be timed (its answer differed from Roost's, or it failed to start). */
  peerFailures?: Array<{ kind: PeerKind; reason: string }>;
}

export interface PeerShare {
  name: string;
  kind: PeerKind | "scenario";
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** This row's req/s divided by the peer's. */
  share: number;
}

export const PEER_LABELS: Record<PeerKind, string> = { ceiling: "ceiling peer", sql: "SQL peer" };

/** Links each Roost row to the rows it is read against (a scenario peer, its ceiling and SQL peers). */
export function attachPeers(
  rows: ScenarioReport[],
  scenarioPeer: (name: string) => string | undefined,
): void {
  for (const row of rows) {
    if (row.peerOf) continue;
    const against = rows.filter(
      (candidate) =>
        candidate.peerOf?.scenario === row.name ||
        (!candidate.peerOf && candidate.name === scenarioPeer(row.name)),
    );
    if (against.length === 0) continue;
    row.peers = against.map((peer) => ({
      name: peer.peerOf ? PEER_LABELS[peer.peerOf.kind] : peer.name,
      kind: peer.peerOf?.kind ?? "scenario",
      requestsPerSecond: peer.load.requestsPerSecond,
      p50: peer.load.latencyMs.p50,
      p99: peer.load.latencyMs.p99,
      share: peer.load.requestsPerSecond ? row.load.requestsPerSecond / peer.load.requestsPerSecond : 0,
    }));
  }
}

const percent = (share: number) => `${share >= 0.095 ? Math.round(share * 100) : (share * 100).toFixed(1)}%`;
const shareOf = (kind: PeerKind) => (row: ScenarioReport) => {
  const peer = row.peers?.find((candidate) => candidate.kind === kind);
  return peer ? percent(peer.share) : "-";
};

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
  ["scenario", (row) => (row.peerOf ? `  ${PEER_LABELS[row.peerOf.kind]}` : row.name)],
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
  ["of ceiling", shareOf("ceiling")],
  ["of SQL peer", shareOf("sql")],
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

/**
 * "search radius (cached): 169 req/s, 12% of its ceiling peer's 1,402 (p50 183.7 vs 22.1 ms, p99
 * 260.9 vs 30.0 ms)": each row read against its peers of the same run, and the peers not timed.
 */
export function formatPeerNotes(rows: readonly ScenarioReport[]): string[] {
  const figure = (value: number) => value.toLocaleString("en");
  return rows.flatMap((row) => [
    ...(row.peers ?? []).map((peer) => {
      const whose = peer.kind === "scenario" ? `${peer.name}'s` : `its ${peer.name}'s`;
      const { p50, p99 } = row.load.latencyMs;
      return (
        `${row.name}: ${figure(row.load.requestsPerSecond)} req/s, ${percent(peer.share)} of ${whose} ` +
        `${figure(peer.requestsPerSecond)} (p50 ${p50.toFixed(1)} vs ${peer.p50.toFixed(1)} ms, ` +
        `p99 ${p99.toFixed(1)} vs ${peer.p99.toFixed(1)} ms)`
      );
    }),
    ...(row.peerFailures ?? []).map(
      (failure) => `${row.name}: ${PEER_LABELS[failure.kind]} NOT timed: ${failure.reason}`,
    ),
  ]);
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
