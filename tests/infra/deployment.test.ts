// The deployment files (Dockerfile, docker-compose.yml, .env.example, .dockerignore) agree with the code:
// variable names, entry points, npm scripts, the migrations path. Static checks only; scripts/check-build.sh runs the build.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config.ts";
import { parseTrustProxy } from "../../src/http/client-ip.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, "utf8");
const packageJson = JSON.parse(read("package.json")) as { type?: string; scripts: Record<string, string> };

/** The keys of `envSchema` in src/config.ts, read from its text (the schema is not exported). */
function configVariables(): string[] {
  const source = read("src/config.ts");
  const start = source.indexOf("const envSchema = z.object({");
  const end = source.indexOf("\n});", start);
  if (start < 0 || end < 0)
    throw new Error("src/config.ts no longer declares `const envSchema = z.object({ ... });`");
  return [...source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] ?? "");
}
const configNames = configVariables();

// ─── Dockerfile ────────────────────────────────────────────────────────────────────────

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(pending + line);
    pending = "";
  }
  const stages: Stage[] = [];
  for (const line of lines) {
    const keyword = (line.split(/\s/, 1)[0] ?? "").toUpperCase();
    const args = line.slice(keyword.length).trim();
    if (keyword === "FROM") {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: match?.[1] ?? args, name: match?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

const stages = parseDockerfile(read("Dockerfile"));
const runtime = stages.at(-1) as Stage;
const stageNamed = (name: string): Stage | undefined => stages.find((stage) => stage.name === name);
/** The stage and the stages it is built FROM, nearest first. */
const lineage = (stage: Stage): Stage[] => {
  const parent = stageNamed(stage.from);
  return parent ? [stage, ...lineage(parent)] : [stage];
};
const argsOf = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map(({ args }) => args);
/** RUN commands without their --mount/--network flags. */
const runsOf = (stage: Stage): string[] =>
  argsOf(stage, "RUN").map((args) => args.replace(/^(--\S+\s+)*/, ""));

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}
const copiesOf = (stage: Stage): Copy[] =>
  argsOf(stage, "COPY").map((args) => {
    const words = args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith("--"));
    const paths = words.filter((word) => !word.startsWith("--"));
    const from = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length);
    return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
  });
const workdirOf = (stage: Stage): string => argsOf(stage, "WORKDIR").at(-1) ?? "/";
const execForm = (args: string): string[] => JSON.parse(args) as string[];

/** Where tsc (tsconfig.build.json) puts the JavaScript for a source file, and back. */
const build = JSON.parse(read("tsconfig.build.json")) as {
  compilerOptions: { outDir: string; rootDir: string };
};
const { outDir, rootDir } = build.compilerOptions;
const emittedPath = (source: string): string =>
  posix.join(outDir, posix.relative(rootDir, source)).replace(/\.ts$/, ".js");
const sourceOf = (emitted: string): string =>
  posix.join(rootDir, posix.relative(outDir, emitted)).replace(/\.js$/, ".ts");

/** `node <file>` commands must start a file that `npm run build` emits from an existing source. */
function expectBuiltEntry(command: string[], entry: string): void {
  expect(command).toEqual(["node", entry]);
  expect(packageJson.scripts.build).toContain("tsconfig.build.json");
  expect(existsSync(`${root}${sourceOf(entry)}`), `${sourceOf(entry)} exists`).toBe(true);
}

describe("Dockerfile", () => {
  it("calls only npm scripts that package.json defines, and installs with npm ci", () => {
    const commands = stages.flatMap(runsOf);
    const scripts = commands.flatMap((command) =>
      [...command.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]),
    );
    expect(scripts).toContain("build");
    for (const script of scripts)
      expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script as string);
    expect(commands.some((command) => /\bnpm ci\b/.test(command))).toBe(true);
  });

  it("puts what the postinstall (prisma generate) needs in place before npm ci", () => {
    const stage = stages.find((candidate) => runsOf(candidate).some((command) => /\bnpm ci\b/.test(command)));
    expect(stage).toBeDefined();
    const instructions = (stage as Stage).instructions;
    const ciAt = instructions.findIndex(({ keyword, args }) => keyword === "RUN" && /\bnpm ci\b/.test(args));
    const copiedBefore = copiesOf({ ...(stage as Stage), instructions: instructions.slice(0, ciAt) }).flatMap(
      ({ sources }) => sources,
    );
    const generator = /node (\S+)/.exec(packageJson.scripts.postinstall ?? "")?.[1];
    const schema = /schema:\s*"([^"]+)"/.exec(read("prisma.config.ts"))?.[1];
    for (const needed of ["package.json", "package-lock.json", "prisma.config.ts", generator, schema]) {
      expect(copiedBefore, `${needed} is copied before npm ci`).toContain(needed);
    }
  });

  it("runs the compiled API as a non-root user with a health check", () => {
    expectBuiltEntry(execForm(argsOf(runtime, "CMD").at(-1) ?? "[]"), emittedPath("src/main.ts"));
    const user = argsOf(runtime, "USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user?.split(":")[0]);
    const healthcheck = argsOf(runtime, "HEALTHCHECK").at(-1) ?? "";
    expect(healthcheck).toMatch(/\bCMD\b/);
    expect(healthcheck).toContain("/healthz");
    expect(argsOf(runtime, "ENV").join(" ")).toMatch(/NODE_ENV=production/);
    expect(argsOf(runtime, "EXPOSE")).toContain("4000");
  });

  it("ships production dependencies, the build output and package.json's module type", () => {
    const copies = copiesOf(runtime);
    const stageOfCopy = (dest: string): Stage => {
      const copy = copies.find(
        (candidate) => candidate.dest.replace(/^\.\//, "").replace(/\/$/, "") === dest,
      );
      expect(copy?.from, `COPY --from=... to ${dest}`).toBeDefined();
      return stageNamed(copy?.from ?? "") as Stage;
    };
    const depsCommands = lineage(stageOfCopy("node_modules")).flatMap(runsOf);
    expect(depsCommands.some((command) => /npm (ci|prune)\b.*--omit[= ]dev/.test(command))).toBe(true);
    expect(lineage(stageOfCopy("dist")).flatMap(runsOf)).toContain("npm run build");
    expect(packageJson.type).toBe("module");
    expect(copies.some(({ from, sources }) => from === undefined && sources.includes("package.json"))).toBe(
      true,
    );
  });

  it("copies the migrations to where the compiled migrations.js looks for them", () => {
    const relative = /new URL\("([^"]+)", import\.meta\.url\)/.exec(read("src/infra/migrations.ts"))?.[1];
    expect(relative).toBeDefined();
    const workdir = workdirOf(runtime);
    const compiled = posix.join(workdir, emittedPath("src/infra/migrations.ts"));
    const expected = posix.resolve(posix.dirname(compiled), relative as string);
    const copy = copiesOf(runtime).find(({ sources }) => sources.includes("prisma/migrations"));
    expect(copy).toBeDefined();
    expect(posix.resolve(workdir, copy?.dest ?? "").replace(/\/$/, "")).toBe(expected);
  });
});

describe(".dockerignore", () => {
  const patterns = read(".dockerignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

  it("keeps dependencies and build output out of the context, and the sources in", () => {
    for (const excluded of ["node_modules", "dist", "src/generated", ".git", ".env"]) {
      expect(patterns).toContain(excluded);
    }
    for (const needed of ["src", "prisma", "scripts", "package.json", "package-lock.json", "tsconfig.json"]) {
      expect(patterns).not.toContain(needed);
    }
  });

  it("uses only patterns scripts/check-build.sh can mirror with tar", () => {
    for (const pattern of patterns) expect(pattern).not.toMatch(/\*\*|^!|^\//);
  });
});

// ─── docker-compose.yml ────────────────────────────────────────────────────────────────

interface ComposeService {
  build?: string | { context?: string; dockerfile?: string };
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number>;
  profiles?: string[];
}
// Merge keys (`<<: *anchor`) as Docker Compose reads them (YAML 1.1; yaml's 1.2 default ignores them).
const compose = parse(read("docker-compose.yml"), { merge: true }) as {
  services: Record<string, ComposeService>;
  configs?: Record<string, { content?: string }>;
};
const service = (name: string): ComposeService => compose.services[name] as ComposeService;
/** The services running Roost (API or worker), in every profile. */
const roostServices = Object.keys(compose.services).filter((name) => /^(api|worker)(-\d+)?$/.test(name));
const inScaleProfile = (name: string) => service(name).profiles?.includes("scale") === true;

const environmentOf = (entry: ComposeService): Record<string, string> => {
  const given = entry.environment ?? {};
  const pairs = Array.isArray(given)
    ? given.map((item) => [item.split("=")[0] ?? "", item.slice(item.indexOf("=") + 1)])
    : Object.entries(given).map(([name, value]) => [name, String(value ?? "")]);
  return Object.fromEntries(pairs);
};
/** Compose's ${NAME:-default} and ${NAME:?error} substitution, with the required ones given. */
const substitute = (value: string, required: Record<string, string>): string =>
  value.replace(
    /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (_whole, name: string, operator?: string, word?: string) => {
      if (operator === "-") return word ?? "";
      const sample = required[name];
      if (sample === undefined) throw new Error(`docker-compose.yml needs \${${name}} with no default`);
      return sample;
    },
  );
const dockerfileOf = (entry: ComposeService): string | undefined => {
  if (entry.build === undefined) return undefined;
  const { context = ".", dockerfile = "Dockerfile" } =
    typeof entry.build === "string" ? { context: entry.build } : entry.build;
  return posix.normalize(posix.join(context, dockerfile));
};

describe("docker-compose.yml", () => {
  it("has the api, worker, postgres and redis services", () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["api", "worker", "postgres", "redis"]),
    );
  });

  it("builds api and worker from the repository's Dockerfile", () => {
    expect(dockerfileOf(service("api"))).toBe("Dockerfile");
    const worker = service("worker");
    expect(dockerfileOf(worker) === "Dockerfile" || worker.image === service("api").image).toBe(true);
    expectBuiltEntry(
      typeof worker.command === "string" ? worker.command.split(/\s+/) : (worker.command ?? []),
      emittedPath("src/worker.ts"),
    );
  });

  it("passes every API and worker service only variables that src/config.ts reads, and a valid production config", () => {
    expect(roostServices).toEqual(
      expect.arrayContaining(["api", "worker", "api-1", "api-2", "worker-1", "worker-2"]),
    );
    for (const name of roostServices) {
      const environment = environmentOf(service(name));
      for (const variable of Object.keys(environment))
        expect(configNames, `${name}: ${variable}`).toContain(variable);
      const resolved = Object.fromEntries(
        Object.entries(environment).map(([key, value]) => [
          key,
          substitute(value, { JWT_SECRET: "s".repeat(40) }),
        ]),
      );
      const config = loadConfig(resolved);
      expect(config.isProduction).toBe(true);
      expect(config.workerInProcess, `${name} leaves jobs to the worker service`).toBe(false);
    }
  });

  it("points the app at the postgres and redis services with their credentials", () => {
    const environment = environmentOf(service("api"));
    const database = new URL(environment.DATABASE_URL ?? "");
    const postgres = environmentOf(service("postgres"));
    expect(database.hostname).toBe("postgres");
    expect(database.username).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(postgres.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(new URL(environment.REDIS_URL ?? "").hostname).toBe("redis");
  });

  it("starts every API and worker service once postgres and redis are healthy", () => {
    for (const dependency of ["postgres", "redis"]) {
      expect(service(dependency).healthcheck?.test, `${dependency} healthcheck`).toBeDefined();
      for (const name of roostServices) {
        const dependsOn = service(name).depends_on;
        expect(Array.isArray(dependsOn) ? undefined : dependsOn?.[dependency]?.condition).toBe(
          "service_healthy",
        );
      }
    }
  });

  it("publishes the exposed port and checks the api's health, not the worker's HTTP", () => {
    expect(service("api").ports?.map(String)).toContain("4000:4000");
    expect(JSON.stringify(service("api").healthcheck?.test)).toMatch(/\/(healthz|readyz)/);
    expect(service("worker").healthcheck?.disable).toBe(true);
  });

  describe('profile "scale"', () => {
    const apis = roostServices.filter((name) => name.startsWith("api-"));
    const workers = roostServices.filter((name) => name.startsWith("worker-"));
    const environment = (name: string) => environmentOf(service(name));

    it("adds two API-only services and two workers, leaving the default deployment as it was", () => {
      expect(apis).toEqual(["api-1", "api-2"]);
      expect(workers).toEqual(["worker-1", "worker-2"]);
      for (const name of [...apis, ...workers, "lb"]) expect(inScaleProfile(name), name).toBe(true);
      for (const name of ["api", "worker", "postgres", "redis"])
        expect(service(name).profiles, name).toBeUndefined();
    });

    it("runs them on the same database and Redis, API services serving, worker services running jobs", () => {
      for (const name of [...apis, ...workers]) {
        expect(environment(name).DATABASE_URL, name).toBe(environment("api").DATABASE_URL);
        expect(environment(name).REDIS_URL, name).toBe(environment("api").REDIS_URL);
        expect(environment(name).REDIS_KEY_PREFIX, name).toBe(environment("api").REDIS_KEY_PREFIX);
        expect(service(name).image, name).toBe(service("api").image);
      }
      for (const name of apis) {
        expect(service(name).command, name).toBeUndefined();
        expect(JSON.stringify(service(name).healthcheck?.test), name).toMatch(/\/readyz/);
        // Reachable only through the load balancer: no port of their own on the host.
        expect(service(name).ports, name).toBeUndefined();
        expect(parseTrustProxy(environment(name).TRUST_PROXY ?? ""), name).toEqual({ hops: 1 });
      }
      for (const name of workers) {
        expect(service(name).command, name).toEqual(service("worker").command);
        expect(service(name).healthcheck?.disable, name).toBe(true);
      }
    });

    it("balances over both APIs, passing SSE streams unbuffered, once both are healthy", () => {
      const lb = service("lb");
      expect(lb.ports?.length).toBe(1);
      const mounted = (lb as { configs?: Array<{ source: string }> }).configs?.[0]?.source ?? "";
      const nginx = compose.configs?.[mounted]?.content ?? "";
      for (const name of apis) {
        expect(nginx, name).toContain(`server ${name}:4000`);
        expect(Array.isArray(lb.depends_on) ? undefined : lb.depends_on?.[name]?.condition).toBe(
          "service_healthy",
        );
      }
      expect(nginx).toMatch(/proxy_buffering off;/);
      expect(nginx).toMatch(/X-Forwarded-For \$\$proxy_add_x_forwarded_for/);
    });
  });
});

// ─── .env.example and the code ─────────────────────────────────────────────────────────

describe(".env.example", () => {
  const lines = read(".env.example").split("\n");
  const entries = lines.flatMap((line, index) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [{ name: match[2] as string, value: match[3] as string, active: !match[1], index }] : [];
  });

  it("documents exactly the variables src/config.ts reads, each under a comment", () => {
    expect(configNames.length).toBeGreaterThan(10);
    expect(entries.map(({ name }) => name).sort()).toEqual([...configNames].sort());
    for (const { name, index } of entries) {
      expect(lines[index - 1]?.startsWith("# "), `${name} has a comment`).toBe(true);
      expect(/^#\s*[A-Z][A-Z0-9_]*=/.test(lines[index - 1] ?? ""), `${name}'s comment`).toBe(false);
    }
  });

  it("shows the real defaults on its active lines, and valid values on the commented ones", () => {
    const secret = { JWT_SECRET: "s".repeat(40) };
    const active = Object.fromEntries(entries.filter((e) => e.active).map((e) => [e.name, e.value]));
    expect(loadConfig({ ...active, ...secret })).toEqual(loadConfig(secret));
    const all = Object.fromEntries(entries.filter((e) => e.value !== "").map((e) => [e.name, e.value]));
    expect(() => loadConfig({ ...all, ...secret })).not.toThrow();
  });
});

describe("src/", () => {
  it("reads no environment variable that src/config.ts does not declare", () => {
    const files = readdirSync(`${root}src`, { recursive: true, encoding: "utf8" }).filter(
      (file) => file.endsWith(".ts") && !file.startsWith("generated"),
    );
    const used = files.flatMap((file) =>
      [
        ...read(`src/${file}`).matchAll(
          /process\.env(?:\.([A-Z_][A-Z0-9_]*)|\[\s*["']([A-Z_][A-Z0-9_]*)["']\s*\])/g,
        ),
      ].map((match) => match[1] ?? match[2] ?? ""),
    );
    for (const name of used) expect(configNames).toContain(name);
  });
});
