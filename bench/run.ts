// `npm run bench [-- [--listings N] word...]`: a scratch database seeded at scale, the real server
// in process on a loopback port, each scenario driven by a forked load process, and its peers
// (peers/) right after it under the same load. See bench/README.md.
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createRedis, redisReady } from "../src/infra/redis.ts";
import { startHttpServer } from "../src/server.ts";
import { LogInDocument } from "../schema/generated/graphql.ts";
import { GraphQLClient } from "../tests/helpers/client.ts";
import { createScratchDatabase } from "./database.ts";
import type { LoadMessage, LoadPlan } from "./load-process.ts";
import { explainSearchStatements } from "./explain.ts";
import { loopbackOrigin, type RequestSpec, send } from "./load.ts";
import { runPeers } from "./peers/run-peers.ts";
import {
  appSource,
  createProbe,
  type MemoryFigures,
  type ProbeSource,
  type ServerActivity,
  settledMemory,
} from "./probe.ts";
import { checkRaces, raceWasFair } from "./race-check.ts";
import {
  attachPeers,
  formatPeerNotes,
  formatRaceRow,
  formatRaceTable,
  formatRow,
  formatTable,
  type RaceReport,
  type RunReport,
  type ScenarioReport,
  writeJson,
} from "./report.ts";
import { BENCH_GUESTS, type Scenario, type ScenarioParams, scenarios, selectScenarios } from "./scenarios.ts";
import { BENCH_GUEST, benchReviewer, RACE_POOL, seedBenchData } from "./seed.ts";
import { readSettings } from "./settings.ts";

const WARMUP_MS = 2_000;
/** A race's first round warms the code paths and is not recorded. */
const WARMUP_ROUNDS = 1;

const log = (message: string) => console.error(`[bench] ${message}`);

/** Steps to undo, last first; run once, whether the run ends, fails or is interrupted. */
const cleanups: Array<() => Promise<unknown>> = [];
let loadProcess: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    loadProcess?.kill("SIGKILL");
    for (const step of cleanups.splice(0).reverse()) {
      await step().catch((error: unknown) => log(`clean-up step failed: ${String(error)}`));
    }
  })();
  return cleaning;
}

let signalled = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (signalled) {
      log(`${signal} again: exiting without finishing the clean-up`);
      process.exit(1);
    }
    signalled = true;
    log(`${signal}: cleaning up (the scratch database is dropped)`);
    void cleanUp().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

async function main(): Promise<void> {
  const { words, settings } = readSettings(process.argv.slice(2));
  const selected = selectScenarios(words);
  if (selected.length === 0) {
    log(`no scenario matches ${words.join(" ")}; scenarios: ${scenarios.map((s) => s.name).join(", ")}`);
    process.exitCode = 1;
    return;
  }
  if (settings.raceRounds + WARMUP_ROUNDS > RACE_POOL) {
    throw new Error(`BENCH_RACE_ROUNDS must be at most ${RACE_POOL - WARMUP_ROUNDS}`);
  }
  log(
    `${selected.length} scenario(s), ${settings.seconds} s each after ${WARMUP_MS / 1000} s warm-up, ` +
      `concurrency ${settings.concurrency}, ${settings.listings.toLocaleString("en")} listings`,
  );

  const database = await createScratchDatabase(log, (step) => cleanups.push(step));
  log(`database ${database.name} on ${database.server} (PostgreSQL ${database.serverVersion}), seeding`);
  const seed = await seedBenchData(database.url, settings.listings, log);
  log(`seeded in ${seed.seconds} s: ${JSON.stringify(seed.counts)}`);

  const redisUrl = process.env.REDIS_URL;
  const redisKeyPrefix = `roost-bench:${randomBytes(6).toString("hex")}:`;
  if (redisUrl) cleanups.push(() => deleteKeys(redisUrl, redisKeyPrefix));
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ...(redisUrl && { REDIS_URL: redisUrl }),
    REDIS_KEY_PREFIX: redisKeyPrefix,
    LOG_LEVEL: "silent",
    GRAPHQL_PERSISTED_ONLY: "true",
    SEED_DEMO_DATA: "false",
    // The booking scenarios sign BENCH_GUESTS guests in from this one address.
    LOGIN_LIMIT_PER_IP: "100000",
    WORKER_IN_PROCESS: "false",
    DATA_DIR: join(tmpdir(), "roost-bench-data"),
  });
  if (selected.some((scenario) => scenario.name.startsWith("search"))) {
    await explainSearchStatements(database.url, seed.cities, config.pricing, log);
  }
  const app = await createApp(config, { databaseUrl: database.url });
  cleanups.push(() => app.close());
  const server = await startHttpServer(app, 0, "127.0.0.1");
  cleanups.push(() => server.close(1_000));
  const probe = createProbe(appSource(app));
  log(
    `server on ${server.url}, ${redisUrl ? `Redis ${redisUrl} (prefix ${redisKeyPrefix})` : "in-memory store"}`,
  );

  const params: ScenarioParams = {
    cities: seed.cities,
    listingPageIds: seed.listingPageIds,
    quoteIds: seed.quoteIds,
    raceIds: seed.raceIds,
  };
  const reports: ScenarioReport[] = [];
  const races: RaceReport[] = [];
  for (const scenario of selected) {
    const token = scenario.needsToken ? await logIn(server.url, BENCH_GUEST) : undefined;
    // Signed in afresh for each scenario, so no access token expires during a long run.
    const guestTokens = scenario.needsGuests ? await logInGuests(server.url) : undefined;
    log(`${scenario.name}: ${scenario.measures}`);
    const roundsSent = settings.raceRounds + WARMUP_ROUNDS;
    const plan: LoadPlan = {
      scenario: scenario.name,
      baseUrl: server.url,
      concurrency: settings.concurrency,
      warmupMs: WARMUP_MS,
      durationMs: settings.seconds * 1000,
      rounds: settings.raceRounds,
      warmupRounds: WARMUP_ROUNDS,
      params: { ...params, token, guestTokens },
    };
    if (scenario.kind !== "burst" && scenario.primes) {
      const primes = scenario.primes(plan.params);
      await prime(server.url, primes);
      log(`${scenario.name}: primed with ${primes.length} request(s), one per distinct answer`);
    }
    const { outcome, server: activity, memory } = await runScenario(scenario, plan, probe);
    const common = { name: scenario.name, measures: scenario.measures, server: activity, memory };
    if (outcome.type === "burst-result") {
      const check = await checkRaces(app, params.raceIds.slice(0, roundsSent));
      const race: RaceReport = { ...common, burst: outcome.result, roundsSent, check };
      log(formatRaceRow(race));
      const decided = outcome.result.rounds.every((round) => round.winners === 1 && round.errors === 0);
      if (!decided || !raceWasFair(check)) {
        log(`${scenario.name}: NOT exactly one winner per round with every other request refused`);
        process.exitCode = 1;
      }
      races.push(race);
    } else {
      const report: ScenarioReport = { ...common, load: outcome.result };
      log(formatRow(report));
      reports.push(report);
      if (scenario.kind === "burst") continue;
      const peers = await runPeers(scenario, report, {
        roostUrl: server.url,
        databaseUrl: database.url,
        poolMax: config.databasePoolMax,
        params: plan.params,
        log,
        measure: async (baseUrl: string, source: ProbeSource) => {
          const measured = await runScenario(scenario, { ...plan, baseUrl }, createProbe(source));
          if (measured.outcome.type !== "result") throw new Error(`${scenario.name}: not a loop`);
          return { load: measured.outcome.result, server: measured.server, memory: measured.memory };
        },
      });
      reports.push(...peers);
    }
  }
  attachPeers(reports, (name) => {
    const scenario = scenarios.find((candidate) => candidate.name === name);
    return scenario?.kind === "burst" ? undefined : scenario?.peers?.scenario;
  });

  console.log(`\n${settings.listings.toLocaleString("en")} listings, seeded in ${seed.seconds} s`);
  if (reports.length) console.log(`\n${formatTable(reports)}\n`);
  for (const note of formatPeerNotes(reports)) console.log(note);
  if (races.length) console.log(`\n${formatRaceTable(races)}\n`);
  const run: RunReport = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    settings: {
      ...settings,
      warmupSeconds: WARMUP_MS / 1000,
      postgres: `${database.serverVersion} (${database.server})`,
      store: redisUrl ? "redis" : "memory",
      databasePoolMax: config.databasePoolMax,
    },
    seed: { seconds: seed.seconds, counts: seed.counts },
    scenarios: reports,
    races,
  };
  if (process.env.BENCH_OUTPUT) log(`wrote ${writeJson(run, process.env.BENCH_OUTPUT)}`);
}

/** Sends each request once, a few at a time; any answer but a 200 stops the run. */
async function prime(baseUrl: string, requests: RequestSpec[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const origin = loopbackOrigin(baseUrl);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < requests.length) {
          const spec = requests[next++] as RequestSpec;
          const { status, body } = await send(origin, agent, spec, 60_000);
          if (status !== 200) throw new Error(`priming ${spec.path}: HTTP ${status} ${body.slice(0, 200)}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

type Probe = ReturnType<typeof createProbe>;

interface Measured {
  outcome: Extract<LoadMessage, { type: "result" | "burst-result" }>;
  server: ServerActivity;
  memory: MemoryFigures;
}

async function runScenario(scenario: Scenario, plan: LoadPlan, probe: Probe): Promise<Measured> {
  const begun = await probe.begin();
  return new Promise((resolve, reject) => {
    // Inherits tsx's loader flags from this process.
    const child = fork(new URL("./load-process.ts", import.meta.url), [], { stdio: "inherit" });
    loadProcess = child;
    let window: ReturnType<Probe["start"]> | undefined;
    let settled = false;
    const finish = (outcome: () => Promise<Measured> | never) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      loadProcess = undefined;
      Promise.resolve()
        .then(outcome)
        .then(resolve, reject)
        .finally(() => child.kill());
    };
    // Bounded: the loop stops itself after its duration; this only catches a wedged client.
    const watchdog = setTimeout(
      () => finish(() => Promise.reject(new Error(`${scenario.name}: the load process did not finish`))),
      plan.warmupMs + plan.durationMs + 60_000,
    );
    child.on("message", (message: LoadMessage) => {
      if (message.type === "measuring") {
        window = probe.start();
      } else if (message.type === "result" || message.type === "burst-result") {
        const opened = window ?? probe.start();
        finish(async () => {
          const server = await probe.stop(begun, await opened);
          return { outcome: message, server, memory: settledMemory() };
        });
      } else {
        finish(() => Promise.reject(new Error(`${scenario.name}: ${message.message}`)));
      }
    });
    child.on("error", (error) => finish(() => Promise.reject(error)));
    child.on("exit", (code) =>
      finish(() =>
        Promise.reject(new Error(`${scenario.name}: load process exited (${code}) without a result`)),
      ),
    );
    child.send(plan);
  });
}

/** Signs a seeded user in through the LogIn operation, as a client would. */
async function logIn(baseUrl: string, user: { email: string; password: string }): Promise<string> {
  const client = new GraphQLClient(`${baseUrl}/graphql`);
  const data = await client.ok(LogInDocument, { input: { ...user } });
  return data.logIn.accessToken;
}

/** BENCH_GUESTS distinct guests (the seeded reviewers), a few at a time: each log-in hashes. */
async function logInGuests(baseUrl: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let first = 1; first <= BENCH_GUESTS; first += 5) {
    const batch = Array.from({ length: Math.min(5, BENCH_GUESTS - first + 1) }, (_, i) => first + i);
    tokens.push(...(await Promise.all(batch.map((n) => logIn(baseUrl, benchReviewer(n))))));
  }
  return tokens;
}

/** Removes every key this run wrote under its prefix (cache entries, versions, session marks). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = createRedis(url);
  try {
    await redisReady(redis);
    let deleted = 0;
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1_000 })) {
      const batch = keys as string[];
      if (batch.length) deleted += await redis.unlink(...batch);
    }
    log(`deleted ${deleted} Redis keys under ${prefix}`);
  } finally {
    redis.disconnect();
  }
}

main()
  .catch((error: unknown) => {
    // After a signal, whatever was running fails as its resources go away: not news.
    if (signalled) return;
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
