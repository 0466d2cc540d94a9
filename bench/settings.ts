// The run's settings: `--listings N` among the words (the rest select scenarios), the others
// from BENCH_* variables (bench/README.md lists them).

export interface Settings {
  listings: number;
  seconds: number;
  concurrency: number;
  raceRounds: number;
}

export function readSettings(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { words: string[]; settings: Settings } {
  const { words, listings } = parseArguments(args);
  return {
    words,
    settings: {
      listings:
        listings === undefined
          ? positiveInt("BENCH_LISTINGS", env.BENCH_LISTINGS, 100_000)
          : positiveInt("--listings", listings, 0),
      seconds: positiveInt("BENCH_SECONDS", env.BENCH_SECONDS, 10),
      concurrency: positiveInt("BENCH_CONCURRENCY", env.BENCH_CONCURRENCY, 32),
      raceRounds: positiveInt("BENCH_RACE_ROUNDS", env.BENCH_RACE_ROUNDS, 5),
    },
  };
}

/** A positive integer, `1_000_000` and `1e6` included; `fallback` when not given. */
function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/** `--listings N` (or `--listings=N`) among the words; the rest select scenarios. */
function parseArguments(args: readonly string[]): { words: string[]; listings: string | undefined } {
  const words: string[] = [];
  let listings: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--listings") {
      listings = args[++i];
      if (listings === undefined) throw new Error("--listings needs a number");
    } else if (arg.startsWith("--listings=")) {
      listings = arg.slice("--listings=".length);
    } else if (arg.startsWith("--")) {
      throw new Error(`unknown option ${arg} (options: --listings N)`);
    } else {
      words.push(arg);
    }
  }
  return { words, listings };
}
