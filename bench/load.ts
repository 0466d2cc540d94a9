// A bounded closed-loop load generator: `concurrency` workers over keep-alive loopback
// connections, a warm-up, then a fixed measured window; latency percentiles from an HDR histogram.
import { Agent, request as httpRequest } from "node:http";
import { createHistogram } from "node:perf_hooks";

export interface RequestSpec {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** "ok", an expected business answer the scenario allows ("refused"), or an error code. */
export type Outcome = { kind: "ok" } | { kind: "refused"; code: string } | { kind: "error"; code: string };

export interface LoadOptions {
  /** Must be a loopback origin: this loop never drives anything but the local server. */
  baseUrl: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Gives up on one request after this long (counted as an error). */
  requestTimeoutMs?: number;
  next: () => RequestSpec;
  classify: (status: number, body: string) => Outcome;
  /** Called once when the measured window opens (after the warm-up). */
  onMeasuring?: () => void;
}

export interface LoadResult {
  requests: number;
  /** The measured window, from its start to the last recorded completion. */
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  refused: number;
  /** Error and refusal codes with their counts. */
  codes: Record<string, number>;
  /** Mean response body size. */
  bytesPerResponse: number;
  /** This load process's CPU over the window, as a share of one core: near 100% means the client limits. */
  clientCpuPercent: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The origin to drive; anything but plain HTTP on loopback is refused. */
export function loopbackOrigin(baseUrl: string): URL {
  const origin = new URL(baseUrl);
  if (origin.protocol !== "http:" || !LOOPBACK.has(origin.hostname)) {
    throw new Error(`refusing to load ${baseUrl}: loopback http only`);
  }
  return origin;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const origin = loopbackOrigin(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const histogram = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
  const codes: Record<string, number> = {};
  let recorded = 0;
  let errors = 0;
  let refused = 0;
  let bytes = 0;
  let lastCompletion = 0;

  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  let cpuAtStart = process.cpuUsage();
  const warmup = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
    options.onMeasuring?.();
  }, options.warmupMs);

  const worker = async () => {
    while (performance.now() < stopAt) {
      const spec = options.next();
      const sentAt = performance.now();
      const outcome = await send(origin, agent, spec, timeoutMs).then(
        (response) => {
          bytes += sentAt >= measureFrom ? response.body.length : 0;
          return options.classify(response.status, response.body);
        },
        (error: unknown): Outcome => ({ kind: "error", code: transportCode(error) }),
      );
      const doneAt = performance.now();
      if (sentAt < measureFrom) continue;
      recorded += 1;
      lastCompletion = Math.max(lastCompletion, doneAt);
      histogram.record(Math.max(1, Math.round((doneAt - sentAt) * 1000)));
      if (outcome.kind !== "ok") {
        if (outcome.kind === "error") errors += 1;
        else refused += 1;
        codes[outcome.code] = (codes[outcome.code] ?? 0) + 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearTimeout(warmup);
    agent.destroy();
  }

  const seconds = Math.max(lastCompletion - measureFrom, 1) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const ms = (micros: number) => Math.round(micros / 10) / 100;
  return {
    requests: recorded,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round(recorded / seconds),
    latencyMs: {
      p50: ms(histogram.percentile(50)),
      p95: ms(histogram.percentile(95)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    },
    errors,
    refused,
    codes,
    bytesPerResponse: recorded ? Math.round(bytes / recorded) : 0,
    clientCpuPercent: Math.round((cpu.user + cpu.system) / 10 / (performance.now() - measureFrom)),
  };
}

export function send(
  origin: URL,
  agent: Agent,
  spec: RequestSpec,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...spec.headers };
    if (spec.body !== undefined) headers["content-length"] = Buffer.byteLength(spec.body);
    const req = httpRequest(
      {
        agent,
        host: origin.hostname.replace(/^\[|\]$/g, ""),
        port: origin.port,
        method: spec.method,
        path: spec.path,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(spec.body);
  });
}

export function transportCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (error.message === "request timed out") return "TIMEOUT";
  }
  return "TRANSPORT_ERROR";
}
