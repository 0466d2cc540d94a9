// Cache namespaces of listing reads. Search results depend on listings too: a change to a
// listing can move it in or out of the searches around it, so a search page carries one
// namespace per 1° cell of the area it covers, and a listing write invalidates the cells of its
// old and new location (a write in Lisbon leaves Tokyo's pages cached). Pages with no area
// (or a vast one) carry `search:anywhere`, which every listing write invalidates. A change of
// nights (a booking, a host block or price) only matters to searches with dates that touch
// those nights: dated pages also carry one namespace per month their stay touches, and
// calendar changes invalidate only those months.
import { type CalendarDate, parseCalendarDate } from "../../core/calendar-date.ts";

export const listingCacheTags = {
  listing: (listingId: string) => `listing:${listingId}`,
  /** A user as shown on others' pages (a host's name, a reviewer's avatar). */
  user: (userId: string) => `user:${userId}`,
  /** Every cached search page: bumped only to drop them all (tests, operators), never by a write. */
  search: "search",
  /** Search pages without an area, or with one too large for cells. */
  searchAnywhere: "search:anywhere",
  /** Search pages whose area overlaps this 1° cell. */
  searchCell: (latCell: number, lngCell: number) => `search:cell:${latCell}:${lngCell}`,
  /** Search pages with dates whose stay touches this month ("YYYY-MM"). */
  searchNights: (month: string) => `search:nights:${month}`,
} as const;

/** The months ("YYYY-MM") the nights [from, to) touch. */
export function monthsOf(from: CalendarDate, to: CalendarDate): string[] {
  const months: string[] = [];
  const lastNight = new Date(to.getTime() - 86_400_000);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth();
  while (
    year < lastNight.getUTCFullYear() ||
    (year === lastNight.getUTCFullYear() && month <= lastNight.getUTCMonth())
  ) {
    months.push(`${year}-${String(month + 1).padStart(2, "0")}`);
    month += 1;
    if (month === 12) [year, month] = [year + 1, 0];
  }
  return months;
}

/** More cells than this and a page is tagged `search:anywhere` instead (about 8 × 8 degrees). */
const MAX_AREA_CELLS = 64;
const METRES_PER_DEGREE = 111_320;

const cellIndex = (degrees: number) => Math.floor(degrees);
/** Longitude cells wrap: 180° is -180°. */
const lngCell = (cell: number) => ((((cell + 180) % 360) + 360) % 360) - 180;

export interface SearchArea {
  near?: { lat: number; lng: number; radiusMeters: number } | null;
  bounds?: { north: number; south: number; east: number; west: number } | null;
}

/** The cells a search area overlaps, or null when it has none or too many. */
function areaCells(area: SearchArea): Array<[number, number]> | null {
  let latRange: [number, number];
  let lngRange: [number, number]; // west to east, east possibly past 180 (unwrapped)
  if (area.near) {
    const { lat, lng, radiusMeters } = area.near;
    const dLat = radiusMeters / METRES_PER_DEGREE;
    const cos = Math.cos((Math.min(89, Math.abs(lat) + dLat) * Math.PI) / 180);
    if (Math.abs(lat) + dLat >= 89 || cos <= 0) return null;
    const dLng = dLat / cos;
    if (dLng >= 180) return null;
    latRange = [lat - dLat, lat + dLat];
    lngRange = [lng - dLng, lng + dLng];
  } else if (area.bounds) {
    const { north, south, east, west } = area.bounds;
    latRange = [south, Math.min(north, 89.999)];
    lngRange = [west, east >= west ? east : east + 360];
  } else {
    return null;
  }
  const [latFrom, latTo] = [cellIndex(latRange[0]), cellIndex(latRange[1])];
  const [lngFrom, lngTo] = [cellIndex(lngRange[0]), cellIndex(lngRange[1])];
  if ((latTo - latFrom + 1) * (lngTo - lngFrom + 1) > MAX_AREA_CELLS) return null;
  const cells: Array<[number, number]> = [];
  for (let latCell = latFrom; latCell <= latTo; latCell++) {
    for (let lng = lngFrom; lng <= lngTo; lng++) cells.push([latCell, lngCell(lng)]);
  }
  return cells;
}

/** The area namespaces of a search page. */
export function searchAreaTags(area: SearchArea): string[] {
  const cells = areaCells(area);
  return cells
    ? cells.map(([lat, lng]) => listingCacheTags.searchCell(lat, lng))
    : [listingCacheTags.searchAnywhere];
}

/** The namespaces of a search page: its area, plus the months of its stay when it has dates. */
export function searchPageTags(
  filter: SearchArea & { stay?: { checkIn: string; checkOut: string } | null },
): string[] {
  const tags = [listingCacheTags.search, ...searchAreaTags(filter)];
  const stay = filter.stay;
  if (!stay) return tags;
  const [from, to] = [parseCalendarDate(stay.checkIn), parseCalendarDate(stay.checkOut)];
  if (!from || !to) return tags;
  return [...tags, ...monthsOf(from, to).map(listingCacheTags.searchNights)];
}

/**
 * What a write to a listing invalidates: its own reads, pages without an area, and the cells
 * of where it was and where it is now.
 */
export function listingWriteTags(
  listingId: string,
  ...locations: Array<{ lat: number; lng: number }>
): string[] {
  const cells = new Set(
    locations.map(({ lat, lng }) => listingCacheTags.searchCell(cellIndex(lat), lngCell(cellIndex(lng)))),
  );
  return [listingCacheTags.listing(listingId), listingCacheTags.searchAnywhere, ...cells];
}

/** What a change of the nights [from, to) of one listing invalidates. */
export const nightsChangeTags = (listingId: string, from: CalendarDate, to: CalendarDate): string[] => [
  listingCacheTags.listing(listingId),
  ...monthsOf(from, to).map(listingCacheTags.searchNights),
];
