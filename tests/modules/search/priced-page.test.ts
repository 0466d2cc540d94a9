// Paging candidates by stay total: the price filter, price sorts and the keyset rule in TypeScript.
import { describe, expect, it } from "vitest";
import { comparePositions } from "../../../src/modules/search/cursor.ts";
import type { SearchFilter, SearchRequest } from "../../../src/modules/search/filters.ts";
import {
  type PricedCandidate,
  type PricedPage,
  pagePricedCandidates,
} from "../../../src/modules/search/priced-page.ts";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const filter = (f: Partial<SearchFilter> = {}): SearchFilter => ({
  near: null,
  bounds: null,
  stay: { checkIn: "2027-03-10", checkOut: "2027-03-12", nights: 2 },
  guests: null,
  priceMin: null,
  priceMax: null,
  amenityCodes: [],
  propertyTypes: [],
  roomTypes: [],
  instantBook: null,
  minBedrooms: null,
  ...f,
});

/** Totals with ties (300 twice, 500 twice); keys as SQL would give for RATING (average, count). */
const candidates: PricedCandidate[] = [
  { id: id(5), keys: [4.5, 10], stayTotal: 500 },
  { id: id(1), keys: [5, 2], stayTotal: 300 },
  { id: id(4), keys: [3, 1], stayTotal: 300 },
  { id: id(2), keys: [4.5, 12], stayTotal: 900 },
  { id: id(3), keys: [0, 0], stayTotal: 500 },
  { id: id(6), keys: [1, 1], stayTotal: 100 },
];

type Req = Pick<SearchRequest, "filter" | "sort" | "first" | "after">;

function allPages(request: Omit<Req, "after">): string[] {
  const seen: string[] = [];
  let after: Req["after"] = null;
  for (let guard = 0; guard < 20; guard++) {
    const page: PricedPage<PricedCandidate> = pagePricedCandidates(candidates, { ...request, after });
    seen.push(...page.items.map((item) => item.candidate.id));
    if (!page.hasNextPage) return seen;
    after = page.items.at(-1)!.position;
  }
  throw new Error("did not end");
}

describe("pagePricedCandidates", () => {
  it.each<[Req["sort"], number[]]>([
    ["PRICE_ASC", [6, 1, 4, 3, 5, 2]],
    // Descending sorts break ties by descending id, as the SQL keyset does.
    ["PRICE_DESC", [2, 5, 3, 4, 1, 6]],
    ["RATING", [1, 2, 5, 4, 6, 3]],
  ])("%s: ties broken by id, pages of 1, 2 and 4 concatenate to the full order", (sort, expected) => {
    for (const first of [1, 2, 4, 10]) {
      expect(allPages({ filter: filter(), sort, first })).toEqual(expected.map(id));
    }
  });

  it("filters by stay total, bounds included, and counts what is left", () => {
    const page = pagePricedCandidates(candidates, {
      filter: filter({ priceMin: 300, priceMax: 500 }),
      sort: "PRICE_ASC",
      first: 2,
      after: null,
    });
    expect(page.items.map((item) => item.candidate.id)).toEqual([id(1), id(4)]);
    expect(page.totalCount).toBe(4);
    expect(page.hasNextPage).toBe(true);
  });

  it("positions carry the stay total for price sorts, so the cursor resumes between equal totals", () => {
    const first = pagePricedCandidates(candidates, {
      filter: filter(),
      sort: "PRICE_ASC",
      first: 2,
      after: null,
    });
    expect(first.items.map((item) => item.position)).toEqual([
      { keys: [100], id: id(6) },
      { keys: [300], id: id(1) },
    ]);
    const next = pagePricedCandidates(candidates, {
      filter: filter(),
      sort: "PRICE_ASC",
      first: 1,
      after: first.items[1]!.position,
    });
    expect(next.items[0]?.candidate.id).toBe(id(4));
  });

  it("first: 0 answers only whether there is more", () => {
    const page = pagePricedCandidates(candidates, {
      filter: filter(),
      sort: "PRICE_ASC",
      first: 0,
      after: null,
    });
    expect(page).toEqual({ items: [], hasNextPage: true, totalCount: 6 });
  });

  it("comparePositions orders keys then ids, all in one direction", () => {
    expect(comparePositions({ keys: [1, 2], id: id(9) }, { keys: [1, 3], id: id(1) }, "ASC")).toBe(-1);
    expect(comparePositions({ keys: [1, 2], id: id(2) }, { keys: [1, 2], id: id(1) }, "ASC")).toBe(1);
    expect(comparePositions({ keys: [-0], id: id(1) }, { keys: [0], id: id(1) }, "ASC")).toBe(0);
    expect(comparePositions({ keys: [1, 2], id: id(9) }, { keys: [1, 3], id: id(1) }, "DESC")).toBe(1);
    expect(comparePositions({ keys: [1, 2], id: id(2) }, { keys: [1, 2], id: id(1) }, "DESC")).toBe(-1);
  });
});
