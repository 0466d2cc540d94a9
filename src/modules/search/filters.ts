// Search arguments to a typed, normalized request: every rule of ListingSearchInput in one pure
// function (no I/O; the instant and the amenity catalog are passed in), reporting all bad fields at once.
import type { PropertyType, RoomType } from "../../generated/prisma/enums.ts";
import type { FieldError } from "../../core/errors.ts";
import {
  formatCalendarDate,
  nightsBetween,
  parseCalendarDate,
  todaysAnywhere,
} from "../../core/calendar-date.ts";
import { hashOf } from "../../infra/cache.ts";
import { decodeCursor, type SearchPosition, type SortDirection, type SortKeyKind } from "./cursor.ts";

export const LISTING_SORTS = [
  "RELEVANCE",
  "PRICE_ASC",
  "PRICE_DESC",
  "RATING",
  "DISTANCE",
  "NEWEST",
] as const;
export type ListingSort = (typeof LISTING_SORTS)[number];

/**
 * Each sort's keyset: the kinds of the keys before the id (query.ts sortOrder builds them) and the
 * one direction of keys and id alike. RELEVANCE is score then creation instant; RATING is average
 * (0 when unrated) then count; price sorts the nightly price, or the stay total when priced; DISTANCE
 * whole metres.
 */
export const SORT_KEYSETS: Record<ListingSort, { keys: readonly SortKeyKind[]; direction: SortDirection }> = {
  RELEVANCE: { keys: ["int", "instant"], direction: "DESC" },
  PRICE_ASC: { keys: ["int"], direction: "ASC" },
  PRICE_DESC: { keys: ["int"], direction: "DESC" },
  RATING: { keys: ["float", "int"], direction: "DESC" },
  DISTANCE: { keys: ["float"], direction: "ASC" },
  NEWEST: { keys: ["instant"], direction: "DESC" },
};

/**
 * Goes into every fingerprint, so cursors of an older keyset are refused (BAD_USER_INPUT) rather
 * than read with another meaning. 2: stored keys in one direction, id included (was negated keys,
 * id ascending).
 */
const KEYSET_VERSION = 2;

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_RADIUS_KM = 500;
export const MAX_STAY_NIGHTS = 365;
export const MAX_GUESTS = 50;

/** ListingSearchInput as GraphQL hands it over. */
export interface ListingSearchInputShape {
  near?: { lat: number; lng: number; radiusKm: number } | null;
  bounds?: { north: number; south: number; east: number; west: number } | null;
  checkIn?: string | null;
  checkOut?: string | null;
  guests?: number | null;
  priceMin?: number | null;
  priceMax?: number | null;
  amenityCodes?: readonly string[] | null;
  propertyTypes?: readonly PropertyType[] | null;
  roomTypes?: readonly RoomType[] | null;
  instantBook?: boolean | null;
  minBedrooms?: number | null;
}

export interface SearchArgs {
  filter?: ListingSearchInputShape | null;
  sort?: ListingSort | null;
  first?: number | null;
  after?: string | null;
}

export interface SearchFilter {
  near: { lat: number; lng: number; radiusMeters: number } | null;
  bounds: { north: number; south: number; east: number; west: number } | null;
  /** Both dates (YYYY-MM-DD, check-out exclusive) or none. */
  stay: { checkIn: string; checkOut: string; nights: number } | null;
  guests: number | null;
  /** Minor units of each listing's own currency: the nightly price, or the stay total with dates. */
  priceMin: number | null;
  priceMax: number | null;
  /** Sorted, distinct; a listing must have all of them. */
  amenityCodes: string[];
  propertyTypes: PropertyType[];
  roomTypes: RoomType[];
  instantBook: boolean | null;
  minBedrooms: number | null;
}

export interface SearchRequest {
  filter: SearchFilter;
  sort: ListingSort;
  first: number;
  after: SearchPosition | null;
  /** Names this filter and sort: cursors carry it, so a cursor only continues its own search. */
  fingerprint: string;
  /**
   * With a check-in that is already past in some places: the instant whose local dates decide,
   * listing by listing, whether the stay starts today or later there (as quote decides). Null
   * when checkIn is today or later everywhere. Taken at the start of its quarter hour: every
   * UTC offset in use is whole quarter hours, so no place changes date within one, and a
   * cached page stays right for as long as its key (which holds this instant) is used.
   */
  listingTodayAt: Date | null;
}

export interface SearchEnvironment {
  /** Now, by the app's clock: check-in may not be before the listing's local today. */
  now: Date;
  /** The catalog codes among those requested (the caller looks them up). */
  knownAmenityCodes: ReadonlySet<string>;
}

export type ParsedSearch = { ok: true; request: SearchRequest } | { ok: false; fields: FieldError[] };

const sortedDistinct = <T extends string>(values: readonly T[] | null | undefined): T[] =>
  [...new Set(values ?? [])].sort();

const within = (value: number, min: number, max: number) => value >= min && value <= max;

/** Price sorts and price filters with dates order and filter on stay totals: every match is priced (SQL). */
export function needsStayTotals(request: Pick<SearchRequest, "filter" | "sort">): boolean {
  const { filter, sort } = request;
  return (
    filter.stay !== null &&
    (sort === "PRICE_ASC" || sort === "PRICE_DESC" || filter.priceMin !== null || filter.priceMax !== null)
  );
}

export function searchFingerprint(filter: SearchFilter, sort: ListingSort): string {
  return hashOf({ filter, sort, keyset: KEYSET_VERSION });
}

export function parseSearchArgs(args: SearchArgs, env: SearchEnvironment): ParsedSearch {
  const fields: FieldError[] = [];
  const fail = (path: string, message: string) => fields.push({ path, message });
  const input = args.filter ?? {};

  let near: SearchFilter["near"] = null;
  if (input.near) {
    const { lat, lng, radiusKm } = input.near;
    if (!within(lat, -90, 90)) fail("filter.near.lat", "must be between -90 and 90");
    if (!within(lng, -180, 180)) fail("filter.near.lng", "must be between -180 and 180");
    if (!(radiusKm > 0 && radiusKm <= MAX_RADIUS_KM))
      fail("filter.near.radiusKm", `must be greater than 0 and at most ${MAX_RADIUS_KM}`);
    near = { lat, lng, radiusMeters: radiusKm * 1000 };
  }

  let bounds: SearchFilter["bounds"] = null;
  if (input.bounds) {
    const { north, south, east, west } = input.bounds;
    if (!within(north, -90, 90)) fail("filter.bounds.north", "must be between -90 and 90");
    if (!within(south, -90, 90)) fail("filter.bounds.south", "must be between -90 and 90");
    if (!within(east, -180, 180)) fail("filter.bounds.east", "must be between -180 and 180");
    if (!within(west, -180, 180)) fail("filter.bounds.west", "must be between -180 and 180");
    if (north < south) fail("filter.bounds.north", "must not be south of south");
    bounds = { north, south, east, west };
  }

  const todayAt = startOfQuarterHour(env.now);
  const stay = parseStay(input.checkIn ?? null, input.checkOut ?? null, todayAt, fail);

  const guests = input.guests ?? null;
  if (guests !== null && !(Number.isInteger(guests) && within(guests, 1, MAX_GUESTS)))
    fail("filter.guests", `must be between 1 and ${MAX_GUESTS}`);

  const priceMin = input.priceMin ?? null;
  const priceMax = input.priceMax ?? null;
  if (priceMin !== null && priceMin < 0) fail("filter.priceMin", "must not be negative");
  if (priceMax !== null && priceMax < 0) fail("filter.priceMax", "must not be negative");
  if (priceMin !== null && priceMax !== null && priceMin > priceMax)
    fail("filter.priceMax", "must not be less than priceMin");

  const amenityCodes = sortedDistinct(input.amenityCodes);
  (input.amenityCodes ?? []).forEach((code, index) => {
    if (!env.knownAmenityCodes.has(code))
      fail(`filter.amenityCodes.${index}`, `unknown amenity code "${code}"`);
  });

  const minBedrooms = input.minBedrooms ?? null;
  if (minBedrooms !== null && minBedrooms < 0) fail("filter.minBedrooms", "must not be negative");

  const sort = args.sort ?? "RELEVANCE";
  if (sort === "DISTANCE" && !input.near) fail("sort", "DISTANCE needs filter.near");

  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!within(first, 0, MAX_PAGE_SIZE)) fail("first", `must be between 0 and ${MAX_PAGE_SIZE}`);

  const filter: SearchFilter = {
    near,
    bounds,
    stay,
    guests,
    priceMin,
    priceMax,
    amenityCodes,
    propertyTypes: sortedDistinct(input.propertyTypes),
    roomTypes: sortedDistinct(input.roomTypes),
    instantBook: input.instantBook ?? null,
    minBedrooms,
  };
  const fingerprint = searchFingerprint(filter, sort);

  let after: SearchPosition | null = null;
  if (args.after != null) {
    after = decodeCursor(args.after, fingerprint, SORT_KEYSETS[sort].keys) ?? null;
    if (!after) fail("after", "is not a cursor of this search (same filter and sort)");
  }

  if (fields.length > 0) return { ok: false, fields };
  // YYYY-MM-DD strings order as the dates do.
  const latestToday = formatCalendarDate(todaysAnywhere(todayAt).latest);
  const listingTodayAt = stay && stay.checkIn < latestToday ? todayAt : null;
  return { ok: true, request: { filter, sort, first, after, fingerprint, listingTodayAt } };
}

const QUARTER_HOUR_MS = 900_000;
const startOfQuarterHour = (instant: Date): Date =>
  new Date(Math.floor(instant.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);

function parseStay(
  checkIn: string | null,
  checkOut: string | null,
  now: Date,
  fail: (path: string, message: string) => void,
): SearchFilter["stay"] {
  if (checkIn === null && checkOut === null) return null;
  if (checkIn === null) {
    fail("filter.checkIn", "must be given with checkOut");
    return null;
  }
  if (checkOut === null) {
    fail("filter.checkOut", "must be given with checkIn");
    return null;
  }
  const from = parseCalendarDate(checkIn);
  const to = parseCalendarDate(checkOut);
  if (!from) fail("filter.checkIn", "must be a date formatted YYYY-MM-DD");
  if (!to) fail("filter.checkOut", "must be a date formatted YYYY-MM-DD");
  if (!from || !to) return null;
  const nights = nightsBetween(from, to);
  // Past everywhere on Earth; a date past only in some places is judged per listing (SQL).
  if (from < todaysAnywhere(now).earliest) fail("filter.checkIn", "must not be in the past");
  if (nights < 1) fail("filter.checkOut", "must be after checkIn");
  else if (nights > MAX_STAY_NIGHTS)
    fail("filter.checkOut", `must be at most ${MAX_STAY_NIGHTS} nights after checkIn`);
  return { checkIn, checkOut, nights };
}
