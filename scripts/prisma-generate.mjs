// Runs `prisma generate` without the native schema engine, which the CLI would
// otherwise try to download (generation itself is WebAssembly). /bin/false, not
// /bin/true: a placeholder that "succeeds" would let other commands silently no-op.
import { spawnSync } from "node:child_process";

const result = spawnSync("npx", ["--no-install", "prisma", "generate"], {
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
});
process.exit(result.status ?? 1);
