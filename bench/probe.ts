// What the server process did during a measured window: SQL statements sent, cache hits and
// misses, CPU time, event-loop utilisation and pool waits. Read in process, beside the server.
// It can also record the statements themselves (text, values, timing), for the SQL peer.
import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import type { App } from "../src/app.ts";

/** What a probe reads from the server it watches: Roost's app, or a peer (peers/). */
export interface ProbeSource {
  /** Responses sent so far. */
  responses(): Promise<number>;
  /** Read-through cache counts, when the server has a cache. */
  cacheCounts?(): Promise<{ hit: number; miss: number; error: number }>;
  /** Requests waiting for a pool connection now, when the server has a pool. */
  poolWaiting?(): number;
}

/** Roost's own figures, from its metrics and its pool. */
export function appSource(app: App): ProbeSource {
  return {
    responses: async () =>
      (await app.metrics.httpRequests.get()).values.reduce((sum, value) => sum + value.value, 0),
    // The response cache and the read-through caches under it, together: a response-cache hit
    // asks nothing else, a miss goes on to the listing and search caches.
    cacheCounts: async () => {
      const values = [
        ...(await app.metrics.responseCache.get()).values,
        ...(await app.metrics.cacheRequests.get()).values,
      ];
      const count = (result: string) =>
        values.filter((value) => value.labels.result === result).reduce((sum, value) => sum + value.value, 0);
      return { hit: count("hit"), miss: count("miss"), error: count("error") };
    },
    poolWaiting: () => app.database.stats().waiting,
  };
}

/** Counts at the start of a scenario, before its first request. */
export interface ScenarioStart {
  statements: number;
  responses: number;
}

/** The measured window's opening, after the warm-up. */
export interface ProbeSnapshot {
  at: number;
  cache: { hit: number; miss: number; error: number };
  cpu: NodeJS.CpuUsage;
  elu: EventLoopUtilization;
  poolWaitSamples: number[];
}

export interface ServerActivity {
  /**
   * SQL statements (BEGIN/COMMIT included) per response the server sent, over the whole scenario
   * (warm-up too): counting only the window would charge it for requests in flight when it opened.
   */
  statementsPerRequest: number;
  /** The statements themselves, over the whole scenario. */
  statements: number;
  cache: { hits: number; misses: number; errors: number; hitRatio: number | null };
  /** Process CPU (all threads) as a share of one core. */
  cpuPercent: number;
  /** Share of wall time the server's event loop was busy. */
  eventLoopUtilization: number;
  /** Mean and max requests waiting for a pool connection, sampled every 100 ms. */
  poolWaiting: { mean: number; max: number };
}

/** One statement as a pg client received it, with when it was sent and answered. */
export interface RecordedStatement {
  /** The pg client it ran on, numbered in order of first use: a transaction's statements share one. */
  client: number;
  /** The query config as given to `Client.query` (Prisma's adapter passes rowMode and type parsers). */
  query: pg.QueryConfig & { rowMode?: "array"; types?: unknown };
  /** performance.now() when the client was asked, and when it answered (NaN if it never did). */
  sentAt: number;
  answeredAt: number;
}

let statements = 0;
let counting = false;
let recording: RecordedStatement[] | undefined;
const clientNumbers = new WeakMap<object, number>();
let clientsSeen = 0;

/** Every statement any pg client in this process sends until `stop`: one recorded request's. */
export function recordStatements(): { stop(): RecordedStatement[] } {
  countStatements();
  if (recording) throw new Error("statements are already being recorded");
  const recorded: RecordedStatement[] = [];
  recording = recorded;
  return {
    stop() {
      if (recording === recorded) recording = undefined;
      return recorded;
    },
  };
}

/** The config a `Client.query(config | text, values?, callback?)` call describes. */
function queryConfig(args: unknown[]): RecordedStatement["query"] {
  const [first, second] = args;
  const config = (
    typeof first === "string" ? { text: first } : { ...(first as pg.QueryConfig) }
  ) as RecordedStatement["query"];
  if (Array.isArray(second)) config.values = second;
  if (config.values) config.values = [...config.values];
  return config;
}

/**
 * Counts every statement any pg client in this process sends (the app's pool, through Prisma's
 * adapter, shares this `pg` module), and records them while `recordStatements` is open.
 * Instrumentation for the benchmark only.
 */
function countStatements(): void {
  if (counting) return;
  counting = true;
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function (this: object, ...args: unknown[]) {
    statements += 1;
    if (!recording) return query.apply(this, args);
    let client = clientNumbers.get(this);
    if (client === undefined) {
      client = ++clientsSeen;
      clientNumbers.set(this, client);
    }
    const entry: RecordedStatement = {
      client,
      query: queryConfig(args),
      sentAt: performance.now(),
      answeredAt: Number.NaN,
    };
    recording.push(entry);
    const answered = () => {
      entry.answeredAt = performance.now();
    };
    // pg-pool calls query(config, undefined, callback); Prisma's transactions use the promise.
    const callbackAt = args.findLastIndex((arg) => typeof arg === "function");
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as (...results: unknown[]) => unknown;
      args[callbackAt] = (...results: unknown[]) => {
        answered();
        return callback(...results);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(answered, answered);
    return result;
  };
}

/** Statements sent by every pg client in this process so far. */
export const statementsSent = () => statements;

export function createProbe(source: ProbeSource) {
  countStatements();
  let samples: number[] = [];
  let sampler: NodeJS.Timeout | undefined;

  const responses = () => source.responses();
  const cacheCounts = async () => (await source.cacheCounts?.()) ?? { hit: 0, miss: 0, error: 0 };

  return {
    /** Call before the scenario's first request (the server is idle between scenarios). */
    async begin(): Promise<ScenarioStart> {
      return { statements, responses: await responses() };
    },

    /** Opens a window: call when measuring starts. */
    async start(): Promise<ProbeSnapshot> {
      samples = [];
      clearInterval(sampler);
      sampler = setInterval(() => samples.push(source.poolWaiting?.() ?? 0), 100);
      return {
        at: performance.now(),
        cache: await cacheCounts(),
        cpu: process.cpuUsage(),
        elu: performance.eventLoopUtilization(),
        poolWaitSamples: samples,
      };
    },

    /** Closes the window opened by `start`, once every request of the scenario has been answered. */
    async stop(begun: ScenarioStart, from: ProbeSnapshot): Promise<ServerActivity> {
      clearInterval(sampler);
      const cache = await cacheCounts();
      const elapsedMs = performance.now() - from.at;
      const cpu = process.cpuUsage(from.cpu);
      const hits = cache.hit - from.cache.hit;
      const misses = cache.miss - from.cache.miss;
      const waits = from.poolWaitSamples;
      const answered = (await responses()) - begun.responses;
      const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
      return {
        statementsPerRequest: answered ? round((statements - begun.statements) / answered) : 0,
        statements: statements - begun.statements,
        cache: {
          hits,
          misses,
          errors: cache.error - from.cache.error,
          hitRatio: hits + misses ? round(hits / (hits + misses), 3) : null,
        },
        cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
        eventLoopUtilization: round(performance.eventLoopUtilization(from.elu).utilization),
        poolWaiting: {
          mean: waits.length ? round(waits.reduce((sum, n) => sum + n, 0) / waits.length, 1) : 0,
          max: waits.length ? Math.max(...waits) : 0,
        },
      };
    },
  };
}

export interface MemoryFigures {
  /** Resident set size after a full GC, in MB. */
  rssMb: number;
  /** Live heap after a full GC, in MB: what the scenario left behind (caches, pools). */
  heapUsedMb: number;
  heapTotalMb: number;
  /** The process's peak RSS so far, in MB. */
  peakRssMb: number;
}

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

// `npm run bench` runs without --expose-gc; this makes the same function reachable.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Memory once garbage is collected, so figures compare across scenarios and runs. */
export function settledMemory(): MemoryFigures {
  collectGarbage();
  const memory = process.memoryUsage();
  return {
    rssMb: megabytes(memory.rss),
    heapUsedMb: megabytes(memory.heapUsed),
    heapTotalMb: megabytes(memory.heapTotal),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
