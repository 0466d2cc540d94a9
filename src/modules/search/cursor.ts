// Keyset cursors for search: opaque base64url of the row's sort keys and id, tied to one search.
//
// Every sort is its keys (the sorted values as they are stored: a score, an instant in ms, a price
// or stay total) followed by the listing id, all in one direction, so SQL compares them as one row
// (`(columns, id) > (cursor keys, cursor id)`, or `<`), which the sort's index serves: a total
// order, so no duplicates or gaps between pages.

export interface SearchPosition {
  /** The sort's keys; their meaning and kinds depend on the sort (filters.ts SORT_KEYSETS). */
  keys: number[];
  /** Listing id (lower-case UUID): the tie-breaker, compared as PostgreSQL compares uuids. */
  id: string;
}

/**
 * What a key holds, so a cursor's keys are checked before they become typed SQL parameters:
 * an INTEGER column, a float8, or an instant in epoch milliseconds (a timestamptz(3) column).
 */
export type SortKeyKind = "int" | "float" | "instant";

export type SortDirection = "ASC" | "DESC";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** PostgreSQL's INTEGER. */
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
/** Instants PostgreSQL and Date both hold (about 1200 BC to 275760 AD). */
const INSTANT_MIN_MS = -100_000_000_000_000;
const INSTANT_MAX_MS = 8_640_000_000_000_000;

function isKey(kind: SortKeyKind, key: unknown): key is number {
  if (typeof key !== "number" || !Number.isFinite(key)) return false;
  if (kind === "int") return Number.isInteger(key) && key >= INT_MIN && key <= INT_MAX;
  if (kind === "instant") return Number.isInteger(key) && key >= INSTANT_MIN_MS && key <= INSTANT_MAX_MS;
  return true;
}

/** fingerprint names the search (filter and sort) the cursor belongs to. */
export function encodeCursor(fingerprint: string, position: SearchPosition): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, k: position.keys, i: position.id }), "utf8").toString(
    "base64url",
  );
}

/** The position, or undefined for a malformed cursor, one from another search or with keys of the wrong kinds. */
export function decodeCursor(
  cursor: string,
  fingerprint: string,
  kinds: readonly SortKeyKind[],
): SearchPosition | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { f, k, i } = parsed as { f?: unknown; k?: unknown; i?: unknown };
  if (f !== fingerprint || typeof i !== "string" || !UUID.test(i)) return undefined;
  if (!Array.isArray(k) || k.length !== kinds.length) return undefined;
  const keys: number[] = [];
  for (const [index, kind] of kinds.entries()) {
    const key: unknown = k[index];
    if (!isKey(kind, key)) return undefined;
    keys.push(key);
  }
  return { keys, id: i };
}
