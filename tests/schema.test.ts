import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("schema/schema.graphql and generated documents", () => {
  it("match the Pothos schema and the operations (npm run schema:check)", async () => {
    const { stdout } = await run("npx", ["--no-install", "tsx", "scripts/schema.ts", "check"], {
      timeout: 60_000,
    });
    expect(stdout).toContain("match the code");
  });
});
