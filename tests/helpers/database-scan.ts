// Searches every textual column of every table in the database (every schema but PostgreSQL's
// own, so graphile-worker's job payloads too) for strings, case-insensitively. Generic on purpose:
// a table or column added later is searched without anyone listing it here.
import type { Db } from "../../src/infra/db.ts";

export interface Finding {
  needle: string;
  /** schema.table.column */
  column: string;
  rows: number;
}

interface TextColumn {
  schema: string;
  table: string;
  column: string;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Every column that can hold text: text, varchar, char, json, jsonb, and arrays of them. */
export async function textColumns(db: Db): Promise<TextColumn[]> {
  return db.$queryRaw<TextColumn[]>`
    SELECT c.table_schema AS schema, c.table_name AS "table", c.column_name AS column
    FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg_toast%'
      AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
           OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar', '_json', '_jsonb')))
    ORDER BY 1, 2, 3`;
}

/** Where each needle occurs (as a substring of the column's text), in every textual column. */
export async function findInDatabase(db: Db, needles: readonly string[]): Promise<Finding[]> {
  const columns = await textColumns(db);
  const findings: Finding[] = [];
  for (const { schema, table, column } of columns) {
    const counts = await db.$queryRawUnsafe<Array<{ needle: string; rows: number }>>(
      `SELECT needle, count(*)::int AS rows
       FROM ${quote(schema)}.${quote(table)} AS scanned, unnest($1::text[]) AS needle
       WHERE strpos(lower(scanned.${quote(column)}::text), lower(needle)) > 0
       GROUP BY needle`,
      needles,
    );
    for (const { needle, rows } of counts)
      findings.push({ needle, column: `${schema}.${table}.${column}`, rows });
  }
  return findings;
}
