// A burst load generator for races: each round fires every request of the round at once over
// open keep-alive loopback connections and times the round until the last one has answered.
// Warm-up rounds run first and are not recorded; each round has its own requests (fresh data).
import { Agent } from "node:http";
import { createHistogram } from "node:perf_hooks";
import { loopbackOrigin, type Outcome, type RequestSpec, send, transportCode } from "./load.ts";

export interface BurstOptions {
  baseUrl: string;
  /** Rounds recorded, after `warmupRounds` that are not. */
  rounds: number;
  warmupRounds: number;
  /** The requests of round `index` (warm-up rounds first, from 0), all sent at once. */
  round: (index: number) => RequestSpec[];
  classify: (status: number, body: string) => Outcome;
  requestTimeoutMs?: number;
  /** Called once when the first recorded round is about to start. */
  onMeasuring?: () => void;
}

export interface BurstRound {
  attempts: number;
  /** Answers that were "ok": the requests that won. */
  winners: number;
  refused: number;
  errors: number;
  /** From the first request sent to the last answer received. */
  ms: number;
}

export interface BurstResult {
  rounds: BurstRound[];
  /** Requests per round (the most any round sent). */
  attempts: number;
  /** Round times: until every request of the round had its answer. */
  timeMs: { median: number; min: number; max: number };
  /** Single requests over all recorded rounds. */
  latencyMs: { p50: number; p99: number; max: number };
  errors: number;
  refused: number;
  codes: Record<string, number>;
  clientCpuPercent: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return value ?? 0;
}

export async function runBursts(options: BurstOptions): Promise<BurstResult> {
  const origin = loopbackOrigin(options.baseUrl);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const total = options.warmupRounds + options.rounds;
  const planned = Array.from({ length: total }, (_, index) => options.round(index));
  const agent = new Agent({
    keepAlive: true,
    maxSockets: Math.max(1, ...planned.map((specs) => specs.length)),
  });
  const histogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  const codes: Record<string, number> = {};
  const rounds: BurstRound[] = [];
  let cpuAtStart = process.cpuUsage();
  let measuredFrom = performance.now();
  try {
    for (const [index, specs] of planned.entries()) {
      // Every connection the round needs is open before the clock starts.
      await Promise.all(specs.map(() => send(origin, agent, { method: "GET", path: "/healthz" }, timeoutMs)));
      const recorded = index >= options.warmupRounds;
      if (index === options.warmupRounds) {
        options.onMeasuring?.();
        cpuAtStart = process.cpuUsage();
        measuredFrom = performance.now();
      }
      const sentAt = performance.now();
      const answers = await Promise.all(
        specs.map(async (spec) => {
          const outcome = await send(origin, agent, spec, timeoutMs).then(
            (response) => options.classify(response.status, response.body),
            (error: unknown): Outcome => ({ kind: "error", code: transportCode(error) }),
          );
          return { outcome, doneAt: performance.now() };
        }),
      );
      if (!recorded) continue;
      const result: BurstRound = { attempts: specs.length, winners: 0, refused: 0, errors: 0, ms: 0 };
      for (const { outcome, doneAt } of answers) {
        histogram.record(Math.max(1, Math.round((doneAt - sentAt) * 1000)));
        result.ms = Math.max(result.ms, doneAt - sentAt);
        if (outcome.kind === "ok") {
          result.winners += 1;
          continue;
        }
        if (outcome.kind === "refused") result.refused += 1;
        else result.errors += 1;
        codes[outcome.code] = (codes[outcome.code] ?? 0) + 1;
      }
      rounds.push({ ...result, ms: round2(result.ms) });
    }
  } finally {
    agent.destroy();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const times = rounds.map((r) => r.ms);
  const ms = (micros: number) => round2(micros / 1000);
  return {
    rounds,
    attempts: Math.max(0, ...rounds.map((r) => r.attempts)),
    timeMs: { median: round2(median(times)), min: Math.min(...times), max: Math.max(...times) },
    latencyMs: {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    },
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    refused: rounds.reduce((sum, r) => sum + r.refused, 0),
    codes,
    clientCpuPercent: Math.round((cpu.user + cpu.system) / 10 / (performance.now() - measuredFrom)),
  };
}
