// Tests run against real PostgreSQL and Redis: one migrated template database per run,
// cloned for each test file so files run in parallel without sharing state.
import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM side by side with no "exports" map: Node (and so every
    // dependency) loads the CJS build, Vite would hand our code the ESM one, and errors
    // would stop being `instanceof GraphQLError`. One copy for all, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    setupFiles: ["tests/helpers/leak-check.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    env: { NODE_ENV: "test" },
  },
});
