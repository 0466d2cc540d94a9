// Writing a listing's export feed as RFC 5545 text: CRLF line ends (the last line's too), lines
// folded at 75 octets counting the continuation's leading space and never inside a UTF-8
// character, TEXT values escaped. Written here rather than through ical.js's stringify, which
// ends the last line without CRLF and folds continuations to 76 octets.
import { addDays, type CalendarDate } from "../../core/calendar-date.ts";

export interface ExportEvent {
  /** Stable across exports: calendars match events by UID. */
  uid: string;
  /** When this event last changed (DTSTAMP), so an unchanged feed is byte-identical. */
  stamp: Date;
  start: CalendarDate;
  /** Exclusive, as DTEND of an all-day event is. */
  end: CalendarDate;
  summary: string;
  status: "CONFIRMED" | "TENTATIVE";
}

export interface ExportCalendar {
  name: string;
  events: readonly ExportEvent[];
}

export const PRODID = "-//Roost//Calendar export 1.0//EN";
const MAX_OCTETS = 75;

export function writeCalendar(calendar: ExportCalendar): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:${PRODID}`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(calendar.name)}`,
    ...calendar.events.flatMap((event) => [
      "BEGIN:VEVENT",
      `UID:${escapeText(event.uid)}`,
      `DTSTAMP:${utcStamp(event.stamp)}`,
      `DTSTART;VALUE=DATE:${dateValue(event.start)}`,
      `DTEND;VALUE=DATE:${dateValue(event.end > event.start ? event.end : addDays(event.start, 1))}`,
      `SUMMARY:${escapeText(event.summary)}`,
      `STATUS:${event.status}`,
      "TRANSP:OPAQUE",
      "END:VEVENT",
    ]),
    "END:VCALENDAR",
  ];
  return lines.map((line) => `${fold(line)}\r\n`).join("");
}

/** RFC 5545 3.3.11: backslash, semicolon, comma and newlines escaped; other controls dropped. */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\\/g, "\\\\")
      .replace(/;/g, "\\;")
      .replace(/,/g, "\\,")
      .replace(/\r\n|\r|\n/g, "\\n")
      // eslint-disable-next-line no-control-regex -- controls are what it removes
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "")
  );
}

/** Splits a content line into lines of at most 75 octets, each continuation starting with a space. */
export function fold(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= MAX_OCTETS) return line;
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first line holds 75 octets; a continuation holds its leading space and 74 more.
    const room = parts.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > room) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

const dateValue = (date: CalendarDate): string => date.toISOString().slice(0, 10).replace(/-/g, "");

const utcStamp = (instant: Date): string =>
  `${instant
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "")}`;
