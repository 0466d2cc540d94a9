// The load generator's own process (forked by run.ts), so the client never competes with the
// server for its event loop and the server's RSS and heap are its own. One scenario per process.
import { type BurstResult, runBursts } from "./burst.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { type ScenarioParams, scenarios } from "./scenarios.ts";

export interface LoadPlan {
  scenario: string;
  baseUrl: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** For bursts: rounds recorded, after warmupRounds that are not. */
  rounds: number;
  warmupRounds: number;
  params: ScenarioParams;
}

export type LoadMessage =
  | { type: "measuring" }
  | { type: "result"; result: LoadResult }
  | { type: "burst-result"; result: BurstResult }
  | { type: "failed"; message: string };

const reply = (message: LoadMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error("bench/load-process.ts runs forked from bench/run.ts");
    process.send(message, () => resolve());
  });

async function run(plan: LoadPlan): Promise<LoadMessage> {
  const scenario = scenarios.find((candidate) => candidate.name === plan.scenario);
  if (!scenario) throw new Error(`unknown scenario ${plan.scenario}`);
  const onMeasuring = () => void reply({ type: "measuring" });
  if (scenario.kind === "burst") {
    const result = await runBursts({
      baseUrl: plan.baseUrl,
      rounds: plan.rounds,
      warmupRounds: plan.warmupRounds,
      round: (index) => scenario.round(plan.params, index),
      classify: scenario.classify,
      onMeasuring,
    });
    return { type: "burst-result", result };
  }
  const result = await runLoad({
    baseUrl: plan.baseUrl,
    concurrency: plan.concurrency,
    warmupMs: plan.warmupMs,
    durationMs: plan.durationMs,
    next: scenario.requests(plan.params),
    classify: scenario.classify,
    onMeasuring,
  });
  return { type: "result", result };
}

process.once("message", (plan: LoadPlan) => {
  void (async () => {
    try {
      await reply(await run(plan));
    } catch (error) {
      await reply({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    } finally {
      process.disconnect();
    }
  })();
});
