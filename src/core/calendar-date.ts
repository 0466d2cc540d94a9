// Calendar dates (check-in, check-out, nights): a date with no time and no zone, held as
// the Date at UTC midnight of that day (how PostgreSQL DATE columns come back through
// Prisma). All day arithmetic lives here; "today" is always some place's local date.

/** A Date at 00:00:00.000 UTC naming a calendar day. */
export type CalendarDate = Date;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD, refusing impossible dates such as 2031-02-30. */
export function parseCalendarDate(value: string): CalendarDate | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid ? date : undefined;
}

export const formatCalendarDate = (date: CalendarDate): string => date.toISOString().slice(0, 10);

export const addDays = (date: CalendarDate, days: number): CalendarDate =>
  new Date(date.getTime() + days * DAY_MS);

/** The same month and day `years` later (29 February becomes 1 March). */
export const addYears = (date: CalendarDate, years: number): CalendarDate =>
  new Date(Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate()));

/** Nights from `from` to `to`: 2027-03-01 → 2027-03-04 is 3. */
export const nightsBetween = (from: CalendarDate, to: CalendarDate): number =>
  Math.round((to.getTime() - from.getTime()) / DAY_MS);

/** Each night of [from, to), in order. */
export function eachNight(from: CalendarDate, to: CalendarDate): CalendarDate[] {
  const nights: CalendarDate[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY_MS) nights.push(new Date(t));
  return nights;
}

export const minDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a <= b ? a : b);
export const maxDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a >= b ? a : b);

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** The local wall-clock fields (year … second) at an instant in an IANA zone. */
function wallClockParts(instant: Date, timeZone: string): (type: Intl.DateTimeFormatPartTypes) => number {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    wallClockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  return (type) => Number(parts.find((p) => p.type === type)?.value);
}

/** The calendar date at an instant in an IANA time zone ("today" for a place). */
export function localDate(instant: Date, timeZone: string): CalendarDate {
  const part = wallClockParts(instant, timeZone);
  return new Date(Date.UTC(part("year"), part("month") - 1, part("day")));
}

/** The local wall-clock time at an instant in a zone, read back as if it were UTC (ms). */
function wallClockAt(instant: number, timeZone: string): number {
  const part = wallClockParts(new Date(instant), timeZone);
  const wall = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wall + (((instant % 1000) + 1000) % 1000);
}

const HOURS_MINUTES = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The instant at which the wall clock in `timeZone` shows `time` ("HH:MM") on `date`, resolved
 * like Temporal's "compatible" disambiguation: a time skipped by a DST gap moves forward by the
 * gap's length (Lisbon's 01:30 on the spring-forward night is 02:30 WEST), and a time shown twice
 * in an overlap is its earlier instant (the one still on summer time).
 */
export function zonedInstant(date: CalendarDate, time: string, timeZone: string): Date {
  const match = HOURS_MINUTES.exec(time);
  if (!match) throw new RangeError(`not a time HH:MM: ${JSON.stringify(time)}`);
  const wall = Date.UTC(
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    Number(match[1]),
    Number(match[2]),
  );
  // Every offset on Earth is within ±14 h, so the offsets a day either side are the ones in force
  // before and after any transition near this time (zones do not change twice within two days).
  const offsetBefore = wallClockAt(wall - DAY_MS, timeZone) - (wall - DAY_MS);
  const offsetAfter = wallClockAt(wall + DAY_MS, timeZone) - (wall + DAY_MS);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (instant) => wallClockAt(instant, timeZone) === wall,
  );
  // No candidate: the time falls in a gap; the offset before it carries the clock past the gap.
  return new Date(candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore);
}

/** True when the zone is one Intl knows (IANA names such as Europe/Lisbon). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The earliest and latest local dates anywhere on Earth at an instant (UTC−12 to UTC+14):
 * a search over every listing's own "today" needs no date outside this window.
 */
export function todaysAnywhere(instant: Date): { earliest: CalendarDate; latest: CalendarDate } {
  const utcDay = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
  return {
    earliest: localDate(instant, "Etc/GMT+12"),
    latest: maxDate(localDate(instant, "Pacific/Kiritimati"), utcDay),
  };
}
