// The adapter-pg patch still matches the adapter's internals, and the wasm engine releases everything it holds.
import { PrismaPg } from "@prisma/adapter-pg";
import { ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import { describe, expect, it } from "vitest";
import { createPatchedPgFactory } from "../../src/infra/adapter-pg-patch.ts";
import { openSchemaEngine, pendingEngineTimers, pgTargetFromUrl } from "../../src/infra/schema-engine.ts";
import { adminDatabaseUrl as adminUrl, withScratchDatabase } from "../helpers/database.ts";

const charQuery = { sql: `SELECT 'r'::"char" AS kind, 'x'::text AS name`, args: [], argTypes: [] };

describe('adapter-pg "char" patch', () => {
  it('is still needed: plain adapter-pg cannot read a "char" column', async () => {
    const target = pgTargetFromUrl(adminUrl());
    const adapter = await new PrismaPg({ ...target }).connect();
    try {
      // When this starts passing, adapter-pg maps OID 18 itself: drop src/infra/adapter-pg-patch.ts.
      await expect(adapter.queryRaw(charQuery)).rejects.toMatchObject({
        cause: { kind: "UnsupportedNativeDataType", type: "char" },
      });
    } finally {
      await adapter.dispose();
    }
  });

  it('reads "char" as Character, on the adapter and inside transactions', async () => {
    const factory = createPatchedPgFactory(pgTargetFromUrl(adminUrl()));
    const adapter = await factory.connect();
    try {
      const expected = {
        columnNames: ["kind", "name"],
        columnTypes: [ColumnTypeEnum.Character, ColumnTypeEnum.Text],
        rows: [["r", "x"]],
      };
      expect(await adapter.queryRaw(charQuery)).toEqual(expected);
      const tx = await adapter.startTransaction();
      try {
        expect(await tx.queryRaw(charQuery)).toEqual(expected);
      } finally {
        await tx.rollback();
      }
    } finally {
      await factory.disposeAll();
    }
  });
});

describe("schema engine", () => {
  it("clears its timers and pools on close, so the process can exit", async () => {
    await withScratchDatabase(async (db) => {
      const handle = await openSchemaEngine({ target: pgTargetFromUrl(db.url) });
      try {
        // The engine's own migrate path races its advisory lock against a 10 s timer it never clears.
        await handle.engine.applyMigrations({
          migrationsList: {
            baseDir: "/nonexistent",
            lockfile: { path: "migration_lock.toml", content: null },
            shadowDbInitScript: "",
            migrationDirectories: [],
          },
          filters: { externalTables: [], externalEnums: [] },
        });
        expect(pendingEngineTimers()).toBeGreaterThan(0);
      } finally {
        await handle.close();
      }
      expect(pendingEngineTimers()).toBe(0);
    });
  });
});
