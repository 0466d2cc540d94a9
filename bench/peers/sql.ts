// The SQL peer: bare node:http and a pg pool the size of Roost's, which for each request sends
// the statements Roost sent for the same request (recorded by record.ts) and writes Roost's
// answer, byte for byte. What is left is PostgreSQL's share of the work and the cost of talking
// to it; everything between (GraphQL, Prisma, the cache, shaping the answer) is Roost's.
import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import type { RecordedStatement } from "../probe.ts";
import { listenOnLoopback, type PeerServer } from "./http.ts";
import type { Recording, Variables } from "./record.ts";

/** A statement value that follows a request variable: the jittered radius, in metres. */
interface Binding {
  value: number;
  path: string[];
  factor: number;
}

interface Step {
  query: RecordedStatement["query"];
  bindings: Binding[];
  /** Steps Roost had been answered for before it sent this one: this one waits for them. */
  after: number[];
  /** Statements on one client from BEGIN to COMMIT or ROLLBACK run on one client here too. */
  transaction?: { id: number; opens: boolean; closes: boolean };
  /** Sent after Roost's answer had arrived: sent after the peer's answer is written, too. */
  afterAnswer: boolean;
}

interface Replay {
  steps: Step[];
  body: Buffer;
}

export interface SqlPeer extends PeerServer {
  /** Requests waiting for a pool connection now. */
  poolWaiting(): number;
  /** One line per recording: its statements, how they overlap, what follows the request. */
  describe(): string[];
}

/**
 * Variable values that bind a statement value: non-integer numbers (the radius, coordinates),
 * matched as they are or times 1000 (Roost sends the radius in metres).
 */
const BINDING_FACTORS = [1, 1_000];

export async function startSqlPeer(options: {
  databaseUrl: string;
  poolMax: number;
  recordings: ReadonlyMap<string, Recording>;
  key: (variables: Variables) => string;
  log: (message: string) => void;
}): Promise<SqlPeer> {
  const replays = new Map([...options.recordings].map(([key, recording]) => [key, replayOf(recording)]));
  // As Roost's pool (src/infra/db.ts), so both wait for connections alike.
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: "roost-bench-sql-peer",
  });
  pool.on("error", (error) => options.log(`SQL peer: idle client failed: ${error.message}`));
  const server = await listenOnLoopback((request, response) => {
    void answer(request, response, pool, replays, options);
  });
  return {
    ...server,
    poolWaiting: () => pool.waitingCount,
    describe: () => [...replays].map(([key, replay]) => `${key}: ${describeReplay(replay)}`),
    async close() {
      await server.close();
      await pool.end();
    },
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  pool: pg.Pool,
  replays: ReadonlyMap<string, Replay>,
  options: { key: (variables: Variables) => string; log: (message: string) => void },
): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { variables = {} } = JSON.parse(Buffer.concat(chunks).toString()) as { variables?: Variables };
    const replay = replays.get(options.key(variables));
    if (!replay) return fail(response, 400, "NO_RECORDING", "no recorded request has these variables");
    const { answered, settled } = run(pool, replay, variables);
    await answered;
    response.writeHead(200, {
      "content-type": "application/graphql-response+json; charset=utf-8",
      "content-length": replay.body.length,
    });
    response.end(replay.body);
    const failure = await settled;
    if (failure) options.log(`SQL peer: a statement after the answer failed: ${messageOf(failure)}`);
  } catch (error) {
    // A statement failed (a pool timeout, say): an error answer, as Roost gives (SERVICE_UNAVAILABLE).
    if (!response.headersSent) fail(response, 500, "PEER_FAILED", messageOf(error));
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function fail(response: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

/** Sends the replay's statements, each once those it waited for in Roost are answered. */
function run(pool: pg.Pool, replay: Replay, variables: Variables) {
  const clients = new Map<number, Promise<pg.PoolClient>>();
  const held = new Set<pg.PoolClient>();
  const execute = async (step: Step) => {
    const query = { ...step.query, values: boundValues(step, variables) };
    const transaction = step.transaction;
    if (!transaction) {
      await pool.query(query);
      return;
    }
    if (transaction.opens) {
      clients.set(
        transaction.id,
        pool.connect().then((client) => (held.add(client), client)),
      );
    }
    const client = await clients.get(transaction.id);
    if (!client) throw new Error("a transaction's statement before its BEGIN");
    await client.query(query);
    if (transaction.closes) {
      held.delete(client);
      client.release();
    }
  };
  const done: Array<Promise<void>> = [];
  replay.steps.forEach((step, index) => {
    done[index] = Promise.all(step.after.map((before) => done[before])).then(() => execute(step));
  });
  // Never rejects (nobody may be waiting for it when a statement fails): the first failure, if any.
  const settled = Promise.allSettled(done).then((results): unknown => {
    // A failed transaction leaves its client mid-transaction: destroy it rather than reuse it.
    for (const client of held) client.release(true);
    return results.find((result) => result.status === "rejected")?.reason;
  });
  const answered = Promise.all(done.filter((_, index) => !replay.steps[index]?.afterAnswer));
  return { answered, settled };
}

function boundValues(step: Step, variables: Variables): unknown[] | undefined {
  const values = step.query.values;
  if (!values || step.bindings.length === 0) return values;
  const bound = [...values];
  for (const binding of step.bindings) {
    const given = valueAt(variables, binding.path);
    if (typeof given !== "number") throw new Error(`no number at ${binding.path.join(".")}`);
    bound[binding.value] = given * binding.factor;
  }
  return bound;
}

function replayOf(recording: Recording): Replay {
  const statements = recording.statements;
  const leaves = numberLeaves(recording.variables).filter(({ value }) => !Number.isInteger(value));
  const open = new Map<number, number>();
  let transactions = 0;
  const steps = statements.map((statement, index): Step => {
    const text = statement.query.text.trim().toUpperCase();
    const begins = /^(BEGIN|START TRANSACTION)\b/.test(text);
    const ends = /^(COMMIT|ROLLBACK|END)\b/.test(text);
    if (begins) open.set(statement.client, ++transactions);
    const id = open.get(statement.client);
    if (ends) open.delete(statement.client);
    const bindings: Binding[] = [];
    (statement.query.values ?? []).forEach((value, at) => {
      const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      for (const leaf of leaves) {
        const factor = BINDING_FACTORS.find((candidate) => leaf.value * candidate === number);
        if (factor !== undefined) bindings.push({ value: at, path: leaf.path, factor });
      }
    });
    return {
      query: statement.query,
      bindings,
      after: statements.flatMap((earlier, before) =>
        before < index && earlier.answeredAt <= statement.sentAt ? [before] : [],
      ),
      ...(id !== undefined && { transaction: { id, opens: begins, closes: ends } }),
      afterAnswer: statement.sentAt > recording.answeredAt,
    };
  });
  if (open.size) throw new Error(`${recording.key}: a transaction was still open when recording stopped`);
  return { steps, body: Buffer.from(recording.body) };
}

function numberLeaves(value: unknown, path: string[] = []): Array<{ path: string[]; value: number }> {
  if (typeof value === "number") return [{ path, value }];
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => numberLeaves(child, [...path, key]));
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (current && typeof current === "object" ? (current as Variables)[key] : undefined),
    value,
  );
}

/** "3 statements in 2 rounds (1, 2 at once), filter.near.radiusKm ×1000 bound in statement 1 ($3, $6)". */
function describeReplay(replay: Replay): string {
  const rounds: number[] = [];
  replay.steps.forEach((step, index) => {
    rounds[index] = 1 + Math.max(0, ...step.after.map((before) => rounds[before] ?? 0));
  });
  const perRound = rounds.reduce<number[]>((counts, round) => {
    counts[round - 1] = (counts[round - 1] ?? 0) + 1;
    return counts;
  }, []);
  const bound = replay.steps.flatMap((step, index) =>
    step.bindings.length
      ? [
          `${[...new Set(step.bindings.map((b) => `${b.path.join(".")}${b.factor === 1 ? "" : ` ×${b.factor}`}`))].join(", ")} ` +
            `bound in statement ${index + 1} (${step.bindings.map((b) => `$${b.value + 1}`).join(", ")})`,
        ]
      : [],
  );
  const transactions = new Set(replay.steps.flatMap((step) => step.transaction?.id ?? [])).size;
  const after = replay.steps.filter((step) => step.afterAnswer).length;
  return [
    `${replay.steps.length} statement${replay.steps.length === 1 ? "" : "s"} in ${perRound.length} ` +
      `round${perRound.length === 1 ? "" : "s"} (${perRound.join(", ")} at once)`,
    ...(transactions ? [`${transactions} transaction${transactions === 1 ? "" : "s"}`] : []),
    ...(after ? [`${after} after the answer`] : []),
    ...bound,
    `${replay.body.length.toLocaleString("en")} bytes`,
  ].join(", ");
}
