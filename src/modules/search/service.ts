// Listing search: checks the arguments, finds the page of ids (cached under the search namespace),
// prices stays with quoteListingStay, and loads the page's listings with the caller's selection.
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { badInput } from "../../core/errors.ts";
import { parseCalendarDate } from "../../core/calendar-date.ts";
import { hashOf } from "../../infra/cache.ts";
import { searchPageTags } from "../listings/cache-tags.ts";
import type { Db, Prisma } from "../../infra/db.ts";
import { type Money, money } from "../pricing/money.ts";
import { AmountTooLargeError } from "../pricing/quote.ts";
import { customNightPrices, quoteListingStay } from "../pricing/service.ts";
import { encodeCursor } from "./cursor.ts";
import {
  needsStayTotals,
  parseSearchArgs,
  type SearchArgs,
  type SearchFilter,
  type SearchRequest,
} from "./filters.ts";
import { pagePricedCandidates } from "./priced-page.ts";
import {
  CANDIDATE_CAP,
  candidatesQuery,
  type MatchRow,
  type PageRow,
  pageQuery,
  TOTAL_COUNT_CAP,
} from "./query.ts";

export interface SearchEdge {
  id: string;
  cursor: string;
  /** With dates: the stay's total, exactly the `quote` total. */
  stayTotal: Money | null;
}

/** What the cache holds for one page: plain JSON, no listing data (that is loaded per selection). */
export interface SearchPage {
  edges: SearchEdge[];
  hasNextPage: boolean;
  /** At most TOTAL_COUNT_CAP. */
  totalCount: number;
  /** False when the count stopped at TOTAL_COUNT_CAP. */
  totalCountIsExact: boolean;
}

/** A counted total of matches (counting past the cap only to tell that it was passed). */
function cappedTotal(counted: number, complete = true): Pick<SearchPage, "totalCount" | "totalCountIsExact"> {
  return {
    totalCount: Math.min(counted, TOTAL_COUNT_CAP),
    totalCountIsExact: complete && counted <= TOTAL_COUNT_CAP,
  };
}

/** Validates the arguments (BAD_USER_INPUT naming every bad field) into a search request. */
export async function parseSearch(app: App, args: SearchArgs): Promise<SearchRequest> {
  const codes = args.filter?.amenityCodes ?? [];
  const known =
    codes.length > 0
      ? await app.db.amenity.findMany({
          where: { code: { in: [...codes] } },
          select: { code: true },
        })
      : [];
  const parsed = parseSearchArgs(args, {
    now: app.clock.now(),
    knownAmenityCodes: new Set(known.map((amenity) => amenity.code)),
  });
  if (!parsed.ok) throw badInput(parsed.fields);
  return parsed.request;
}

/** The page of ids, cursors and totals; listing changes invalidate it, night changes if it has dates. */
export function findSearchPage(app: App, request: SearchRequest): Promise<SearchPage> {
  const { filter, sort, first, after, listingTodayAt } = request;
  // v2: pages carry totalCountIsExact; a page cached before it would answer without it.
  const key = `page:v2:${hashOf({
    filter,
    sort,
    first,
    after,
    listingTodayAt: listingTodayAt?.toISOString() ?? null,
    pricing: app.config.pricing,
  })}`;
  return app.cache.getOrLoad(searchPageTags(filter.stay), key, () =>
    needsStayTotals(request)
      ? loadPricedPage(app.db, request, app.config.pricing)
      : loadSqlPage(app.db, request, app.config.pricing),
  );
}

/** Filter, order and page in SQL; with dates, only the page's stays are priced. */
async function loadSqlPage(db: Db, request: SearchRequest, pricing: Config["pricing"]): Promise<SearchPage> {
  const rows = await db.$queryRaw<PageRow[]>(pageQuery(request));
  const matches = rows.filter((row): row is PageRow & MatchRow => row.id !== null);
  const page = matches.slice(0, request.first);
  const totals = request.filter.stay ? await stayTotals(db, page, request.filter.stay, pricing) : undefined;
  return {
    edges: page.map((row) => ({
      id: row.id,
      cursor: encodeCursor(request.fingerprint, { keys: row.keys, id: row.id }),
      stayTotal: totals?.get(row.id) ?? null,
    })),
    hasNextPage: matches.length > request.first,
    ...cappedTotal(rows[0]?.total ?? 0),
  };
}

/**
 * Price sorts and price filters with dates: the stay total comes from quoteListingStay, so the
 * candidates (at most CANDIDATE_CAP, see query.ts) are priced, filtered, ordered and paged here.
 * Costs one query for the candidates and one for their custom night prices, whatever the page.
 */
async function loadPricedPage(
  db: Db,
  request: SearchRequest,
  pricing: Config["pricing"],
): Promise<SearchPage> {
  const stay = request.filter.stay;
  if (!stay) throw new RangeError("a priced page needs dates");
  const found = await db.$queryRaw<MatchRow[]>(candidatesQuery(request));
  const candidates = found.slice(0, CANDIDATE_CAP);
  const totals = await stayTotals(db, candidates, stay, pricing);
  // A stay with no total (too dear for one Money) cannot be ranked or compared by price: left out.
  const priced = candidates.flatMap((row) => {
    const total = totals.get(row.id);
    return total ? [{ ...row, stayTotal: total.amount }] : [];
  });
  const page = pagePricedCandidates(priced, request);
  return {
    edges: page.items.map(({ candidate, position }) => ({
      id: candidate.id,
      cursor: encodeCursor(request.fingerprint, position),
      stayTotal: totals.get(candidate.id) ?? null,
    })),
    hasNextPage: page.hasNextPage,
    // Past CANDIDATE_CAP candidates, the count is of those only.
    ...cappedTotal(page.totalCount, found.length <= CANDIDATE_CAP),
  };
}

/**
 * Stay totals by listing id, through the one pricing rule; custom prices in one query. A listing
 * whose stay one Money cannot carry has none (quote refuses that stay), and breaks no one's page.
 */
async function stayTotals(
  db: Db,
  listings: readonly MatchRow[],
  stay: NonNullable<SearchFilter["stay"]>,
  pricing: Config["pricing"],
): Promise<Map<string, Money>> {
  if (listings.length === 0) return new Map();
  const checkIn = parseCalendarDate(stay.checkIn);
  const checkOut = parseCalendarDate(stay.checkOut);
  if (!checkIn || !checkOut) throw new RangeError("stay dates were validated");
  const custom = await customNightPrices(
    db,
    listings.map((listing) => listing.id),
    checkIn,
    checkOut,
  );
  const totals = new Map<string, Money>();
  for (const listing of listings) {
    try {
      const quote = quoteListingStay(
        listing,
        checkIn,
        checkOut,
        custom.get(listing.id) ?? new Map(),
        pricing,
      );
      totals.set(listing.id, money(quote.total, quote.currency));
    } catch (error) {
      if (!(error instanceof AmountTooLargeError)) throw error;
    }
  }
  return totals;
}

/**
 * The page's listings in page order, in one Prisma query shaped by the GraphQL selection (host,
 * photos, amenities, reviews... come with it). A listing unlisted since the page was cached drops out.
 */
export async function loadListingsInOrder(
  db: Db,
  ids: readonly string[],
  query: Pick<Prisma.ListingFindManyArgs, "select" | "include">,
): Promise<Map<string, Listing>> {
  if (ids.length === 0) return new Map();
  const rows: Listing[] = await db.listing.findMany({
    ...query,
    where: { id: { in: [...ids] }, status: "LISTED" },
  });
  return new Map(rows.map((row) => [row.id, row]));
}
