// Reading another platform's iCalendar feed (RFC 5545, parsed by ical.js) into the nights its
// events cover, in the listing's local sense. A pure core: text in, night ranges out.
//
// - All-day events (VALUE=DATE) cover [DTSTART, DTEND); DTEND is exclusive. A missing DTEND is one
//   day (RFC 5545 3.6.1), and DTEND equal to DTSTART, which some feeds write for a single day, too.
// - Timed events cover the nights from the listing-local date of their start up to the local date
//   of their end: a night is taken when the event runs through the midnight that ends it (15:00 on
//   the 10th to 11:00 on the 12th takes the 10th and 11th; a 10:00–11:00 meeting takes none).
//   Times are UTC ("Z"), in a TZID the IANA database knows (used in preference to the feed's
//   VTIMEZONE, which often covers a few years only), in a TZID defined only by the feed's own
//   VTIMEZONE ("W. Europe Standard Time"), or floating (read in the listing's zone).
// - Recurring events (RRULE with COUNT or UNTIL or neither, RDATE, EXDATE, and RECURRENCE-ID
//   overrides) are expanded only up to the window's end, with a bounded number of steps.
// - STATUS:CANCELLED events and occurrences are skipped, and so are TRANSP:TRANSPARENT ones
//   (shown as free in their own calendar).
import ICAL from "ical.js";
import {
  type CalendarDate,
  addDays,
  isTimeZone,
  localDate,
  parseCalendarDate,
  zonedInstant,
} from "../../core/calendar-date.ts";
import type { NightRange } from "./night-ranges.ts";

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalEvent = InstanceType<typeof ICAL.Event>;
type IcalTime = InstanceType<typeof ICAL.Time>;

export const FEED_LIMITS = {
  /** VEVENTs one feed may hold. */
  eventsMax: 20_000,
  /**
   * Recurrence steps expanded for one event, and for the whole feed: ical.js takes tens of
   * microseconds a step, and this runs on the event loop. Daily and weekly rules without COUNT
   * start near the window (fastForward), so a daily event since 1990 costs what one since last
   * month does; a rule with a huge COUNT from long ago, or an hourly one, may stop short.
   */
  stepsPerEventMax: 2_000,
  stepsMax: 15_000,
} as const;

/** One event, or one occurrence of a recurring event, as the nights it takes. */
export interface FeedOccurrence extends NightRange {
  uid: string;
}

/** The feed cannot be read as iCalendar; the message is safe to show its host. */
export class FeedParseError extends Error {
  override readonly name = "FeedParseError";
}

export interface ParseOptions {
  /** The listing's IANA zone: timed events become its local nights. */
  timeZone: string;
  /** Occurrences outside it are dropped, the others clipped to it; recurrences stop at its end. */
  window: NightRange;
}

/** Every occurrence in the window that takes at least one night, in feed order. */
export function parseFeed(text: string, options: ParseOptions): FeedOccurrence[] {
  const calendars = parseCalendars(text);
  const events = calendars.flatMap((calendar) => calendar.getAllSubcomponents("vevent"));
  if (events.length > FEED_LIMITS.eventsMax) {
    throw new FeedParseError(`The feed has more than ${FEED_LIMITS.eventsMax} events`);
  }
  const budget = { steps: 0 };
  const occurrences: FeedOccurrence[] = [];
  for (const { master, overrides, uid } of seriesOf(events)) {
    try {
      if (master) occurrences.push(...occurrencesOf(master, overrides, uid, options, budget));
      // Overrides whose master is missing stand alone.
      else for (const override of overrides) occurrences.push(...single(override, uid, options));
    } catch (error) {
      if (error instanceof FeedParseError) throw error;
      // One malformed event (an invalid date, a broken RRULE) must not hide the others.
      continue;
    }
  }
  return occurrences;
}

function parseCalendars(text: string): IcalComponent[] {
  let calendars: IcalComponent[];
  try {
    const parsed: unknown = ICAL.parse(text);
    // One component comes back as its jCal array ["vcalendar", ...]; several as a list of them.
    const roots = (Array.isArray(parsed) && typeof parsed[0] === "string" ? [parsed] : parsed) as unknown[];
    calendars = roots.map((jcal) => new ICAL.Component(jcal as unknown[]));
  } catch (error) {
    throw new FeedParseError(`The feed is not valid iCalendar: ${(error as Error).message.slice(0, 200)}`);
  }
  if (calendars.length === 0 || calendars.some((calendar) => calendar.name !== "vcalendar")) {
    throw new FeedParseError("The feed is not an iCalendar VCALENDAR");
  }
  return calendars;
}

interface Series {
  uid: string;
  master: IcalComponent | undefined;
  overrides: IcalComponent[];
}

/** Events grouped by UID: the master and its RECURRENCE-ID overrides. */
function seriesOf(events: IcalComponent[]): Series[] {
  const byUid = new Map<string, Series>();
  const others: Series[] = [];
  events.forEach((component, index) => {
    const given = component.getFirstPropertyValue("uid");
    // A UID is required; a feed without them still has events, each its own.
    const uid = typeof given === "string" && given !== "" ? given : `#${index}`;
    let series = byUid.get(uid);
    if (!series) {
      series = { uid, master: undefined, overrides: [] };
      byUid.set(uid, series);
    }
    if (component.hasProperty("recurrence-id")) series.overrides.push(component);
    else if (!series.master) series.master = component;
    // Two events under one UID (some feeds reuse them): both stand.
    else others.push({ uid, master: component, overrides: [] });
  });
  return [...byUid.values(), ...others];
}

const isSkipped = (component: IcalComponent): boolean =>
  String(component.getFirstPropertyValue("status") ?? "").toUpperCase() === "CANCELLED" ||
  String(component.getFirstPropertyValue("transp") ?? "").toUpperCase() === "TRANSPARENT";

// jCal's DATE and DATE-TIME values as the feed wrote them; ical.js would roll 2027-13-40 over.
const RAW_DATE = /^(\d{4}-\d{2}-\d{2})(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)Z?)?$/;

/** Throws on a DTSTART, DTEND or RECURRENCE-ID that names no real day or time. */
function checkDates(component: IcalComponent): void {
  for (const name of ["dtstart", "dtend", "recurrence-id"]) {
    for (const property of component.getAllProperties(name)) {
      const raw: unknown = property.jCal[3];
      const match = typeof raw === "string" ? RAW_DATE.exec(raw) : null;
      if (!match?.[1] || !parseCalendarDate(match[1])) throw new Error(`invalid ${name}`);
    }
  }
}

function single(component: IcalComponent, uid: string, options: ParseOptions): FeedOccurrence[] {
  checkDates(component);
  if (isSkipped(component)) return [];
  const event = new ICAL.Event(component);
  return inWindow(nightsOf(event, event.startDate, event.endDate, options.timeZone), uid, options);
}

function occurrencesOf(
  master: IcalComponent,
  overrides: IcalComponent[],
  uid: string,
  options: ParseOptions,
  budget: { steps: number },
): FeedOccurrence[] {
  // A cancelled series is cancelled whole, its overrides included.
  if (String(master.getFirstPropertyValue("status") ?? "").toUpperCase() === "CANCELLED") return [];
  checkDates(master);
  // A malformed override is left out; its occurrence keeps the master's dates.
  const valid = overrides.filter((override) => {
    try {
      checkDates(override);
      return true;
    } catch {
      return false;
    }
  });
  const event = new ICAL.Event(master, { exceptions: valid });
  if (!event.isRecurring()) return single(master, uid, options);
  const occurrences: FeedOccurrence[] = [];
  const iterator = event.iterator(fastForward(event, options.window.start));
  // A day before the window in every zone: an occurrence ending before it takes no night in it.
  const dayBefore = addDays(options.window.start, -1);
  const windowStart = ICAL.Time.fromData({
    year: dayBefore.getUTCFullYear(),
    month: dayBefore.getUTCMonth() + 1,
    day: dayBefore.getUTCDate(),
    isDate: true,
  });
  for (let steps = 0; steps < FEED_LIMITS.stepsPerEventMax; steps++) {
    if (++budget.steps > FEED_LIMITS.stepsMax) break;
    const start = iterator.next();
    if (!start) break;
    // The rule's own dates increase; an override may move one, so the rule's date decides the stop.
    if (firstNight(event, start, options.timeZone) >= options.window.end) break;
    const details = event.getOccurrenceDetails(start);
    const item = details.item ?? event;
    if (isSkipped(item.component)) continue;
    // Occurrences long past cost nothing more than the check above.
    if (details.endDate.compare(windowStart) < 0) continue;
    // The rule's own occurrences end start + duration, in DTSTART's zone; overrides have their DTEND.
    const endTzid = details.item ? undefined : tzidOf(event, "dtstart");
    const nights = nightsOf(item, details.startDate, details.endDate, options.timeZone, endTzid);
    occurrences.push(...inWindow(nights, uid, options));
  }
  return occurrences;
}

const DAY_SECONDS = 86_400;

/**
 * A later start for expanding a daily or weekly rule without COUNT: a whole number of its
 * periods after DTSTART, so the occurrences from there on are the rule's own, and far enough
 * before the window that an occurrence still reaching into it is not skipped. (COUNT rules
 * count from DTSTART, and RDATEs stand alone: those expand from the start.)
 */
function fastForward(event: IcalEvent, windowStart: CalendarDate): IcalTime | undefined {
  const rules = event.component.getAllProperties("rrule");
  const rule = rules[0]?.getFirstValue() as InstanceType<typeof ICAL.Recur> | undefined;
  if (rules.length !== 1 || !rule || rule.count || event.component.hasProperty("rdate")) return undefined;
  const unitDays = rule.freq === "DAILY" ? 1 : rule.freq === "WEEKLY" ? 7 : 0;
  if (unitDays === 0) return undefined;
  const periodDays = unitDays * Math.max(1, rule.interval || 1);
  const spanDays = Math.ceil(Math.max(0, event.duration.toSeconds()) / DAY_SECONDS) + 2;
  const behindDays = (windowStart.getTime() - dateOf(event.startDate).getTime()) / (DAY_SECONDS * 1000);
  const periods = Math.floor((behindDays - spanDays) / periodDays);
  if (periods <= 0) return undefined;
  const start = event.startDate.clone();
  start.adjust(periods * periodDays, 0, 0, 0);
  return start;
}

/** The occurrence clipped to the window, or nothing when it takes no night inside it. */
function inWindow(nights: NightRange | undefined, uid: string, options: ParseOptions): FeedOccurrence[] {
  const { window } = options;
  if (!nights || nights.end <= window.start || nights.start >= window.end) return [];
  return [
    {
      uid,
      start: nights.start < window.start ? window.start : nights.start,
      end: nights.end > window.end ? window.end : nights.end,
    },
  ];
}

/**
 * The nights [start, end) an occurrence takes, or undefined when it takes none. `endTzid` is the
 * zone the end is written in: DTEND's, or DTSTART's for an end computed from the duration.
 */
function nightsOf(
  event: IcalEvent,
  start: IcalTime,
  end: IcalTime,
  timeZone: string,
  endTzid = tzidOf(event, "dtend"),
): NightRange | undefined {
  const first = firstNight(event, start, timeZone);
  const last = nightOf(end, endTzid, timeZone);
  // All day: DTEND on DTSTART (or missing) is one day, as feeds that write inclusive days mean.
  if (start.isDate) return { start: first, end: last > first ? last : addDays(first, 1) };
  return last > first ? { start: first, end: last } : undefined;
}

const firstNight = (event: IcalEvent, start: IcalTime, timeZone: string): CalendarDate =>
  nightOf(start, tzidOf(event, "dtstart"), timeZone);

/** The listing-local date of a DATE or DATE-TIME value. */
function nightOf(time: IcalTime, tzid: string | undefined, listingZone: string): CalendarDate {
  if (time.isDate) return dateOf(time);
  if (time.zone === ICAL.Timezone.utcTimezone || time.zone?.tzid === "UTC") {
    return localDate(new Date(time.toUnixTime() * 1000), listingZone);
  }
  // Wall-clock times in a zone the IANA database knows; floating times in the listing's zone.
  const floating = !time.zone || time.zone === ICAL.Timezone.localTimezone || time.zone.tzid === "floating";
  const zone = tzid && isKnownZone(tzid) ? tzid : floating ? listingZone : undefined;
  // The listing's own zone: its wall-clock date is the local date (even in a DST gap).
  if (zone === listingZone) return dateOf(time);
  if (zone) {
    const hhmm = `${pad(time.hour)}:${pad(time.minute)}`;
    const instant = zonedInstant(dateOf(time), hhmm, zone).getTime() + time.second * 1000;
    return localDate(new Date(instant), listingZone);
  }
  // A TZID only the feed's own VTIMEZONE defines: ical.js applies its rules.
  return localDate(new Date(time.toUnixTime() * 1000), listingZone);
}

const dateOf = (time: IcalTime): CalendarDate => new Date(Date.UTC(time.year, time.month - 1, time.day));

/** The TZID parameter of DTSTART or DTEND (DTEND falls back to DTSTART's, as with DURATION). */
function tzidOf(event: IcalEvent, name: "dtstart" | "dtend"): string | undefined {
  const property = event.component.getFirstProperty(name) ?? event.component.getFirstProperty("dtstart");
  const tzid = property?.getParameter("tzid");
  return typeof tzid === "string" ? tzid : undefined;
}

const pad = (value: number): string => String(value).padStart(2, "0");

// Asking Intl costs a formatter each time; a feed names few zones, over and over.
const knownZones = new Map<string, boolean>();
function isKnownZone(tzid: string): boolean {
  let known = knownZones.get(tzid);
  if (known === undefined) {
    known = isTimeZone(tzid);
    if (knownZones.size < 1_000) knownZones.set(tzid, known);
  }
  return known;
}
