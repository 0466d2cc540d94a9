// Keyset cursors for search: opaque base64url of the row's sort keys and id, tied to one search.
//
// Every sort is expressed as ascending numeric keys (descending ones negated) followed by the
// listing id, so SQL (`(keys, id) > (cursor keys, cursor id)`) and TypeScript (comparePositions)
// apply the same total order: no duplicates or gaps between pages over a fixed dataset.

export interface SearchPosition {
  /** Ascending sort keys; the meaning depends on the sort (see query.ts sortKeys). */
  keys: number[];
  /** Listing id (lower-case UUID): the tie-breaker, compared as PostgreSQL compares uuids. */
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** fingerprint names the search (filter and sort) the cursor belongs to. */
export function encodeCursor(fingerprint: string, position: SearchPosition): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, k: position.keys, i: position.id }), "utf8").toString(
    "base64url",
  );
}

/** The position, or undefined for a malformed cursor or one from another search. */
export function decodeCursor(
  cursor: string,
  fingerprint: string,
  keyCount: number,
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
  if (!Array.isArray(k) || k.length !== keyCount) return undefined;
  const keys: number[] = [];
  for (const key of k) {
    if (typeof key !== "number" || !Number.isFinite(key)) return undefined;
    keys.push(key);
  }
  return { keys, id: i };
}

/** The keyset order: keys ascending, then id (lower-case hex UUIDs sort as PostgreSQL's uuid). */
export function comparePositions(a: SearchPosition, b: SearchPosition): number {
  for (let index = 0; index < a.keys.length; index++) {
    const difference = (a.keys[index] ?? 0) - (b.keys[index] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
