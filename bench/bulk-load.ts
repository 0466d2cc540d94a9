// Secondary structures set aside around a bulk insert: the indexes and the key, unique, exclusion
// and foreign-key constraints of the tables the seed fills (and the foreign keys pointing at them)
// are dropped, then re-created from their own catalogue definitions, built once over the loaded
// rows instead of maintained row by row. The catalogue is compared before and after: what the
// migrations defined is restored exactly, or the seed fails. Check constraints and triggers stay.
import type pg from "pg";

interface Structures {
  /** Primary key, unique and exclusion constraints: ALTER TABLE … ADD CONSTRAINT … definition. */
  keys: Array<{ table: string; name: string; definition: string }>;
  foreignKeys: Array<{ table: string; name: string; definition: string }>;
  /** Indexes no constraint owns: their CREATE INDEX statements. */
  indexes: Array<{ name: string; definition: string }>;
}

export interface SetAside {
  /** Re-creates everything that was dropped, then checks the catalogue is as it was. */
  restore(step: (label: string, sql: string) => Promise<unknown>): Promise<void>;
}

/** Drops the tables' indexes and constraints (in the caller's transaction); `restore` brings them back. */
export async function setAsideStructures(client: pg.Client, tables: readonly string[]): Promise<SetAside> {
  const before = await catalogue(client, tables);
  const structures = await structuresOf(client, tables);
  for (const { table, name } of [...structures.foreignKeys, ...structures.keys]) {
    await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quote(name)}`);
  }
  for (const { name } of structures.indexes) await client.query(`DROP INDEX ${name}`);
  return {
    async restore(step) {
      // Keys first: foreign keys need the referenced key, and validate faster against its index.
      for (const { table, name, definition } of structures.keys) {
        await step(`${name}`, `ALTER TABLE ${table} ADD CONSTRAINT ${quote(name)} ${definition}`);
      }
      for (const { name, definition } of structures.indexes) await step(name, definition);
      for (const { table, name, definition } of structures.foreignKeys) {
        await step(name, `ALTER TABLE ${table} ADD CONSTRAINT ${quote(name)} ${definition}`);
      }
      const after = await catalogue(client, tables);
      const lost = before.filter((line) => !after.includes(line));
      const gained = after.filter((line) => !before.includes(line));
      if (lost.length || gained.length) {
        throw new Error(
          `indexes and constraints differ from the migrations' after the bulk load: ` +
            `missing ${JSON.stringify(lost)}, unexpected ${JSON.stringify(gained)}`,
        );
      }
    },
  };
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function structuresOf(client: pg.Client, tables: readonly string[]): Promise<Structures> {
  const constraints = await client.query<{ table: string; name: string; definition: string; type: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition,
            c.contype AS type
     FROM pg_constraint c
     WHERE c.contype IN ('p', 'u', 'x') AND c.conrelid = ANY($1::regclass[])
        OR c.contype = 'f' AND (c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[]))
     ORDER BY c.conrelid::regclass::text, c.conname`,
    [tables],
  );
  const indexes = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i
     WHERE i.indrelid = ANY($1::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
     ORDER BY 1`,
    [tables],
  );
  return {
    keys: constraints.rows.filter((row) => row.type !== "f"),
    foreignKeys: constraints.rows.filter((row) => row.type === "f"),
    indexes: indexes.rows,
  };
}

/** Every index and constraint of the tables, and every foreign key into them, as sorted text. */
async function catalogue(client: pg.Client, tables: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(
    `SELECT 'constraint ' || c.conrelid::regclass::text || '.' || c.conname || ': ' || pg_get_constraintdef(c.oid)
              || CASE WHEN c.conindid <> 0 THEN ' using ' || c.conindid::regclass::text ELSE '' END
              || ' deferrable ' || c.condeferrable || ' validated ' || c.convalidated AS line
     FROM pg_constraint c
     WHERE c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[])
     UNION ALL
     SELECT 'index ' || pg_get_indexdef(i.indexrelid) || ' unique ' || i.indisunique || ' primary ' || i.indisprimary
              || ' clustered ' || i.indisclustered || ' valid ' || i.indisvalid || ' replica ' || i.indisreplident
     FROM pg_index i WHERE i.indrelid = ANY($1::regclass[])
     ORDER BY 1`,
    [tables],
  );
  return rows.map((row) => row.line);
}
