// Cache namespaces of listing reads. Search results depend on listings too: a change to a
// listing itself can move it in or out of any search, so listing writes invalidate every page.
// A change of nights (a booking, a host block or price) only matters to searches with dates
// that touch those nights: dated pages also carry one namespace per month their stay touches,
// and calendar changes invalidate only those months.
import { type CalendarDate, parseCalendarDate } from "../../core/calendar-date.ts";

export const listingCacheTags = {
  listing: (listingId: string) => `listing:${listingId}`,
  /** Every cached search page. */
  search: "search",
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

/** The namespaces of a search page: every page, plus the months of its stay when it has dates. */
export function searchPageTags(stay: { checkIn: string; checkOut: string } | null): string[] {
  if (!stay) return [listingCacheTags.search];
  const [from, to] = [parseCalendarDate(stay.checkIn), parseCalendarDate(stay.checkOut)];
  if (!from || !to) return [listingCacheTags.search];
  return [listingCacheTags.search, ...monthsOf(from, to).map(listingCacheTags.searchNights)];
}

/** What a change of the nights [from, to) of one listing invalidates. */
export const nightsChangeTags = (listingId: string, from: CalendarDate, to: CalendarDate): string[] => [
  listingCacheTags.listing(listingId),
  ...monthsOf(from, to).map(listingCacheTags.searchNights),
];
