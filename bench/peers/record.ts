// What the peers replay: Roost's answer to each distinct request of a scenario, recorded one
// request at a time on the otherwise idle server, with the SQL statements it sent when asked.
// Also the check that a peer answers exactly what Roost answered, before it is timed.
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import { loopbackOrigin, type Outcome, type RequestSpec, send } from "../load.ts";
import { type RecordedStatement, recordStatements } from "../probe.ts";

export type Variables = Record<string, unknown>;

export interface Recording {
  /** The scenario's answer key for these variables (scenarios.ts `recorded.key`). */
  key: string;
  spec: RequestSpec;
  variables: Variables;
  status: number;
  /** Roost's response body, byte for byte. */
  body: string;
  /** The statements Roost sent for it, in the order sent (empty unless asked for). */
  statements: RecordedStatement[];
  /** performance.now() when the request was sent and when its answer had arrived. */
  sentAt: number;
  answeredAt: number;
}

/** Statements a request causes after its answer (a write-behind) land within this, or not at all. */
const SETTLE_MS = 25;
const TIMEOUT_MS = 10_000;

export function variablesOf(spec: RequestSpec): Variables {
  const body = JSON.parse(spec.body ?? "{}") as { variables?: Variables };
  return body.variables ?? {};
}

/**
 * Sends each request to Roost one after the other and keeps its answer by key (the first answer
 * of a key wins). Every answer must classify as "ok": a peer replaying an error measures nothing.
 */
export async function recordAnswers(options: {
  baseUrl: string;
  requests: readonly RequestSpec[];
  key: (variables: Variables) => string;
  classify: (status: number, body: string) => Outcome;
  withStatements: boolean;
}): Promise<Map<string, Recording>> {
  const origin = loopbackOrigin(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const recordings = new Map<string, Recording>();
  try {
    for (const spec of options.requests) {
      const variables = variablesOf(spec);
      const key = options.key(variables);
      if (recordings.has(key)) continue;
      const window = options.withStatements ? recordStatements() : undefined;
      const sentAt = performance.now();
      const answer = await send(origin, agent, spec, TIMEOUT_MS).catch((error: unknown) => {
        window?.stop();
        throw error;
      });
      const answeredAt = performance.now();
      if (window) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const statements = window?.stop() ?? [];
      const outcome = options.classify(answer.status, answer.body);
      if (outcome.kind !== "ok") {
        throw new Error(`Roost answered ${key} with ${outcome.code}: nothing to replay`);
      }
      recordings.set(key, { key, spec, variables, ...answer, statements, sentAt, answeredAt });
    }
  } finally {
    agent.destroy();
  }
  return recordings;
}

/**
 * Sends every recorded request to the peer and compares its answer with Roost's as JSON (deep
 * equality: same values, key order aside). Returns what differs first, or undefined when all agree.
 */
export async function firstDifference(
  baseUrl: string,
  recordings: Iterable<Recording>,
): Promise<string | undefined> {
  const origin = loopbackOrigin(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const recording of recordings) {
      const answer = await send(origin, agent, recording.spec, TIMEOUT_MS);
      if (answer.status !== recording.status) {
        return `${recording.key}: HTTP ${answer.status} where Roost answered ${recording.status}: ${answer.body.slice(0, 300)}`;
      }
      const ours: unknown = JSON.parse(recording.body);
      const theirs: unknown = JSON.parse(answer.body);
      if (!isDeepStrictEqual(ours, theirs)) {
        return `${recording.key}: ${describeDifference(ours, theirs, "$")}`;
      }
    }
    return undefined;
  } finally {
    agent.destroy();
  }
}

function describeDifference(ours: unknown, theirs: unknown, path: string): string {
  if (ours && theirs && typeof ours === "object" && typeof theirs === "object") {
    const keys = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
    for (const key of keys) {
      const a = (ours as Record<string, unknown>)[key];
      const b = (theirs as Record<string, unknown>)[key];
      if (!isDeepStrictEqual(a, b)) return describeDifference(a, b, `${path}.${key}`);
    }
  }
  const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 200) ?? "undefined";
  return `${path} is ${shown(theirs)} where Roost answered ${shown(ours)}`;
}
