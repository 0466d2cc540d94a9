// Listing search: checks the arguments, finds the page of ids (cached under the search namespace)
// with its stay totals, and loads the page's listings with the caller's selection.
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { badInput } from "../../core/errors.ts";
import { hashOf } from "../../infra/cache.ts";
import { searchPageTags } from "../listings/cache-tags.ts";
import type { Db, Prisma } from "../../infra/db.ts";
import type { ReadSource } from "../../infra/read-routing.ts";
import { type Money, money } from "../pricing/money.ts";
import { encodeCursor } from "./cursor.ts";
import { parseSearchArgs, type SearchArgs, type SearchRequest } from "./filters.ts";
import { type MatchRow, type PageRow, pageQuery, TOTAL_COUNT_CAP } from "./query.ts";

export interface SearchEdge {
  id: string;
  cursor: string;
  /** With dates: the stay's total, exactly the `quote` total (pricing/stay-total-sql.ts). */
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

/**
 * The page of ids, cursors and totals; listing changes invalidate it, night changes if it has dates.
 * Read from `source` (app.reads: the replica, or the primary for a viewer who just wrote).
 */
export function findSearchPage(app: App, request: SearchRequest, source: ReadSource): Promise<SearchPage> {
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
  return app.cache.getOrLoad(
    searchPageTags(filter),
    key,
    () => loadSearchPage(source.db, request, app.config.pricing),
    { lagMs: source.lagMs },
  );
}

/** Filter, price, order and page in one statement (query.ts). */
async function loadSearchPage(
  db: Db,
  request: SearchRequest,
  pricing: Config["pricing"],
): Promise<SearchPage> {
  const rows = await db.$queryRaw<PageRow[]>(pageQuery(request, pricing));
  const matches = rows.filter((row): row is PageRow & MatchRow => row.id !== null);
  const page = matches.slice(0, request.first);
  return {
    edges: page.map((row) => ({
      id: row.id,
      cursor: encodeCursor(request.fingerprint, { keys: row.keys, id: row.id }),
      stayTotal: row.stayTotal === null ? null : money(row.stayTotal, row.currency),
    })),
    hasNextPage: matches.length > request.first,
    totalCount: Math.min(rows[0]?.total ?? 0, TOTAL_COUNT_CAP),
    totalCountIsExact: (rows[0]?.total ?? 0) <= TOTAL_COUNT_CAP,
  };
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
