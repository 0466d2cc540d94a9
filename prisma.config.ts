// Prisma CLI configuration. The URL is only needed by commands that connect;
// `generate` runs without one.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx scripts/db.ts seed" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/roost" },
});
