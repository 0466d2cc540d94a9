// The load generator's own process (forked by run.ts), so the client never competes with the
// server for its event loop and the server's RSS and heap are its own. One scenario per process.
import { runLoad } from "./load.ts";
import { type ScenarioParams, scenarios } from "./scenarios.ts";

export interface LoadPlan {
  scenario: string;
  baseUrl: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  params: ScenarioParams;
}

export type LoadMessage =
  | { type: "measuring" }
  | { type: "result"; result: Awaited<ReturnType<typeof runLoad>> }
  | { type: "failed"; message: string };

const reply = (message: LoadMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error("bench/load-process.ts runs forked from bench/run.ts");
    process.send(message, () => resolve());
  });

process.once("message", (plan: LoadPlan) => {
  void (async () => {
    try {
      const scenario = scenarios.find((candidate) => candidate.name === plan.scenario);
      if (!scenario) throw new Error(`unknown scenario ${plan.scenario}`);
      const result = await runLoad({
        baseUrl: plan.baseUrl,
        concurrency: plan.concurrency,
        warmupMs: plan.warmupMs,
        durationMs: plan.durationMs,
        next: scenario.requests(plan.params),
        classify: scenario.classify,
        onMeasuring: () => void reply({ type: "measuring" }),
      });
      await reply({ type: "result", result });
    } catch (error) {
      await reply({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    } finally {
      process.disconnect();
    }
  })();
});
