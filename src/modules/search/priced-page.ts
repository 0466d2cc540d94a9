// A page of candidates whose stay totals are known: the price filter and price sorts on the
// stay total, with the same keyset rule as the SQL (cursor.ts), so pages never overlap or skip.
import { comparePositions, type SearchPosition } from "./cursor.ts";
import { type SearchRequest, SORT_KEYSETS } from "./filters.ts";

export interface PricedCandidate extends SearchPosition {
  /** The stay total in the listing's currency's minor units. */
  stayTotal: number;
}

export interface PricedPage<T extends PricedCandidate> {
  /** The page, each with its position (the keys the cursor must carry). */
  items: Array<{ candidate: T; position: SearchPosition }>;
  hasNextPage: boolean;
  totalCount: number;
}

/** Price sorts rank by the stay total; other sorts keep the keys the SQL computed. */
function positionOf(candidate: PricedCandidate, sort: SearchRequest["sort"]): SearchPosition {
  if (sort === "PRICE_ASC" || sort === "PRICE_DESC") return { keys: [candidate.stayTotal], id: candidate.id };
  return { keys: candidate.keys, id: candidate.id };
}

export function pagePricedCandidates<T extends PricedCandidate>(
  candidates: readonly T[],
  request: Pick<SearchRequest, "filter" | "sort" | "first" | "after">,
): PricedPage<T> {
  const { priceMin, priceMax } = request.filter;
  const { direction } = SORT_KEYSETS[request.sort];
  const ranked = candidates
    .filter(
      (c) => (priceMin === null || c.stayTotal >= priceMin) && (priceMax === null || c.stayTotal <= priceMax),
    )
    .map((candidate) => ({
      candidate,
      position: positionOf(candidate, request.sort),
    }))
    .sort((a, b) => comparePositions(a.position, b.position, direction));
  const after = request.after;
  const rest = after
    ? ranked.filter((item) => comparePositions(item.position, after, direction) > 0)
    : ranked;
  return {
    items: rest.slice(0, request.first),
    hasNextPage: rest.length > request.first,
    totalCount: ranked.length,
  };
}
