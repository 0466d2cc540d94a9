// The feed reader, a pure core: real-world feeds (fixtures) and edge cases, as the nights each
// event takes in the listing's local sense.
import { describe, expect, it } from "vitest";
import { formatCalendarDate } from "../../../src/core/calendar-date.ts";
import { FEED_LIMITS, FeedParseError, parseFeed } from "../../../src/modules/calendar-sync/ical-feed.ts";
import { fixture } from "./feed-server.ts";

const day = (value: string) => new Date(`${value}T00:00:00Z`);
/** The listing's today is 2027-03-01; the window runs two years. */
const window = { start: day("2027-03-01"), end: day("2029-03-01") };

function nights(text: string, timeZone = "Europe/Lisbon"): string[] {
  return parseFeed(text, { timeZone, window }).map(
    (o) => `${o.uid} ${formatCalendarDate(o.start)}..${formatCalendarDate(o.end)}`,
  );
}

const calendar = (...lines: string[]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", ...lines, "END:VCALENDAR", ""].join("\r\n");
const event = (uid: string, ...lines: string[]) => ["BEGIN:VEVENT", `UID:${uid}`, ...lines, "END:VEVENT"];

describe("real-world feeds", () => {
  it("reads Airbnb's export: all-day reservations and blocks, folded lines, past stays dropped", () => {
    expect(nights(fixture("airbnb.ics"))).toEqual([
      "1418fb94e984-7d2a9c4e8b1f3a6d5c0e9b8a7f6d5c4b@airbnb.com 2027-03-10..2027-03-15",
      "1418fb94e984-3e5f7a9b1c2d4e6f8a0b2c4d6e8f0a1b@airbnb.com 2027-04-01..2027-04-04",
    ]);
  });

  it("reads Booking.com's export, written with bare LF line ends", () => {
    expect(fixture("booking-com.ics")).not.toContain("\r\n");
    expect(nights(fixture("booking-com.ics"))).toEqual([
      "8c2e7d0b2a7f4a0e9b3f1d6c5e4a3b2c@booking.com 2027-03-20..2027-03-22",
      "1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c@booking.com 2027-05-01..2027-05-03",
    ]);
  });

  it("reads Vrbo's export, whose one-day blocks end on the day they start", () => {
    expect(nights(fixture("vrbo.ics"))).toEqual([
      "38d1a2c4-5b6e-4f70-8a91-b2c3d4e5f607@homeaway.com 2027-05-05..2027-05-12",
      "9e8f7a6b-5c4d-4e3f-a2b1-c0d9e8f7a6b5@homeaway.com 2027-06-01..2027-06-02",
    ]);
  });

  it("reads a personal calendar: zones, UTC, recurrences, overrides, cancellations, free time", () => {
    expect(nights(fixture("google-timed.ics"))).toEqual([
      // 15:00 New York on the 10th (19:00 in Lisbon) to 10:00 on the 12th: the 10th and 11th.
      "ny-stay@google.com 2027-03-10..2027-03-12",
      // 08:00 in Tokyo on the 20th is 23:00 in Lisbon on the 19th: the listing's night is the 19th.
      "tokyo-flight@google.com 2027-03-19..2027-03-20",
      // 22:00 UTC on 1 April is 23:00 in Lisbon (summer time since 28 March).
      "utc-stay@google.com 2027-04-01..2027-04-03",
      // Weekly, COUNT=4, the 17th excluded.
      "saturdays@google.com 2027-04-10..2027-04-11",
      "saturdays@google.com 2027-04-24..2027-04-25",
      "saturdays@google.com 2027-05-01..2027-05-02",
      // Daily 22:00–08:00 until the 3rd: three nights.
      "nights@google.com 2027-06-01..2027-06-02",
      "nights@google.com 2027-06-02..2027-06-03",
      "nights@google.com 2027-06-03..2027-06-04",
      // The 10th moved to the 11th for two nights; the 17th cancelled.
      "july@google.com 2027-07-03..2027-07-04",
      "july@google.com 2027-07-11..2027-07-13",
      // Cancelled, shown-as-free and a 10:00 meeting take no night.
    ]);
  });

  it("reads a zone only the feed's VTIMEZONE defines (Outlook's Windows names)", () => {
    // 00:30 at UTC+2 on 1 July is 23:30 in Lisbon (UTC+1) on 30 June.
    expect(nights(fixture("outlook-windows-zone.ics"))).toEqual([
      "040000008200E00074C5B7101A82E00800000000@outlook.com 2027-06-30..2027-07-02",
    ]);
  });

  it("reads timed events in the listing's own zone", () => {
    // The same Tokyo morning is the 20th for a listing in Tokyo.
    expect(nights(fixture("google-timed.ics"), "Asia/Tokyo")[1]).toBe(
      "tokyo-flight@google.com 2027-03-20..2027-03-21",
    );
  });
});

describe("events", () => {
  it.each([
    [
      "an all-day event: DTEND is exclusive",
      ["DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270313"],
      ["2027-03-10..2027-03-13"],
    ],
    ["an all-day event without DTEND: one day", ["DTSTART;VALUE=DATE:20270310"], ["2027-03-10..2027-03-11"]],
    [
      "an all-day event with a DURATION",
      ["DTSTART;VALUE=DATE:20270310", "DURATION:P4D"],
      ["2027-03-10..2027-03-14"],
    ],
    [
      "a stay from 15:00 to 11:00",
      ["DTSTART:20270310T150000Z", "DTEND:20270312T110000Z"],
      ["2027-03-10..2027-03-12"],
    ],
    [
      "an evening over midnight",
      ["DTSTART:20270310T200000Z", "DTEND:20270311T020000Z"],
      ["2027-03-10..2027-03-11"],
    ],
    [
      "a whole day, timed",
      ["DTSTART:20270310T000000Z", "DTEND:20270311T000000Z"],
      ["2027-03-10..2027-03-11"],
    ],
    ["a daytime meeting takes no night", ["DTSTART:20270310T100000Z", "DTEND:20270310T110000Z"], []],
    ["a timed event without an end takes no night", ["DTSTART:20270310T100000Z"], []],
    [
      "floating times are the listing's",
      ["DTSTART:20270310T233000", "DTEND:20270311T003000"],
      ["2027-03-10..2027-03-11"],
    ],
    [
      "a cancelled event",
      ["DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270313", "STATUS:CANCELLED"],
      [],
    ],
    [
      "an event shown as free",
      ["DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270313", "TRANSP:TRANSPARENT"],
      [],
    ],
    ["an event ending before it starts", ["DTSTART:20270312T100000Z", "DTEND:20270310T100000Z"], []],
    ["an event before the window", ["DTSTART;VALUE=DATE:20270201", "DTEND;VALUE=DATE:20270205"], []],
    [
      "an event under way is clipped to today",
      ["DTSTART;VALUE=DATE:20270225", "DTEND;VALUE=DATE:20270303"],
      ["2027-03-01..2027-03-03"],
    ],
    [
      "an event past the horizon is clipped to it",
      ["DTSTART;VALUE=DATE:20290225", "DTEND;VALUE=DATE:20290310"],
      ["2029-02-25..2029-03-01"],
    ],
    ["an event after the horizon", ["DTSTART;VALUE=DATE:20290301", "DTEND;VALUE=DATE:20290305"], []],
  ])("%s", (_name, lines, expected) => {
    expect(nights(calendar(...event("e", ...lines))).map((line) => line.slice(2))).toEqual(expected);
  });

  it("reads a TZID the IANA database knows even without its VTIMEZONE", () => {
    // 17:00 in Los Angeles on 10 March (PST, UTC-8: summer time starts on the 14th) is 01:00 UTC on the 11th.
    const feed = calendar(
      ...event(
        "la",
        "DTSTART;TZID=America/Los_Angeles:20270310T170000",
        "DTEND;TZID=America/Los_Angeles:20270312T090000",
      ),
    );
    // Lisbon: 01:00 on the 11th to 17:00 on the 12th.
    expect(nights(feed)).toEqual(["la 2027-03-11..2027-03-12"]);
  });

  it("keeps events without a UID, each its own", () => {
    const feed = calendar(
      "BEGIN:VEVENT",
      "DTSTART;VALUE=DATE:20270310",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "DTSTART;VALUE=DATE:20270320",
      "END:VEVENT",
    );
    expect(nights(feed)).toEqual(["#0 2027-03-10..2027-03-11", "#1 2027-03-20..2027-03-21"]);
  });

  it("keeps two events that share a UID", () => {
    const feed = calendar(
      ...event("same", "DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270312"),
      ...event("same", "DTSTART;VALUE=DATE:20270320", "DTEND;VALUE=DATE:20270322"),
    );
    expect(nights(feed)).toEqual(["same 2027-03-10..2027-03-12", "same 2027-03-20..2027-03-22"]);
  });

  it("skips a malformed event and keeps the others", () => {
    const feed = calendar(
      ...event("broken", "DTSTART;VALUE=DATE:20271340"),
      ...event("fine", "DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270312"),
    );
    expect(nights(feed)).toEqual(["fine 2027-03-10..2027-03-12"]);
  });
});

describe("recurrence", () => {
  it("expands RRULE with UNTIL and EXDATE, within the window only", () => {
    const feed = calendar(
      ...event(
        "r",
        "DTSTART;VALUE=DATE:20270301",
        "RRULE:FREQ=MONTHLY;UNTIL=20270601",
        "EXDATE;VALUE=DATE:20270401",
      ),
    );
    expect(nights(feed)).toEqual([
      "r 2027-03-01..2027-03-02",
      "r 2027-05-01..2027-05-02",
      "r 2027-06-01..2027-06-02",
    ]);
  });

  it("expands an endless rule up to the horizon and no further", () => {
    const occurrences = parseFeed(
      calendar(...event("yearly", "DTSTART;VALUE=DATE:20270310", "RRULE:FREQ=YEARLY")),
      {
        timeZone: "UTC",
        window,
      },
    );
    expect(occurrences.map((o) => formatCalendarDate(o.start))).toEqual(["2027-03-10", "2028-03-10"]);
  });

  it("starts an endless daily rule from long ago near the window, so it reaches the horizon", () => {
    const occurrences = parseFeed(
      calendar(...event("daily", "DTSTART;VALUE=DATE:19900101", "RRULE:FREQ=DAILY")),
      {
        timeZone: "UTC",
        window,
      },
    );
    expect(occurrences).toHaveLength(731);
    expect(formatCalendarDate(occurrences[0]!.start)).toBe("2027-03-01");
    expect(formatCalendarDate(occurrences.at(-1)!.start)).toBe("2029-02-28");
  });

  it("keeps an every-other-week rule from long ago on its own weeks", () => {
    // 2020-01-06 is a Monday; 2027-03-01 is 373 weeks later, an odd number: not one of them.
    const occurrences = parseFeed(
      calendar(...event("fortnight", "DTSTART;VALUE=DATE:20200106", "RRULE:FREQ=WEEKLY;INTERVAL=2")),
      { timeZone: "UTC", window: { start: window.start, end: day("2027-04-01") } },
    );
    expect(occurrences.map((o) => formatCalendarDate(o.start))).toEqual(["2027-03-08", "2027-03-22"]);
  });

  it("stops an unbounded hourly rule at its step budget", () => {
    const occurrences = parseFeed(
      calendar(...event("hourly", "DTSTART:20270301T000000Z", "DTEND:20270301T023000Z", "RRULE:FREQ=HOURLY")),
      { timeZone: "UTC", window },
    );
    // Each occurrence spanning midnight takes a night; the expansion stops after its budget of steps.
    expect(occurrences.length).toBeGreaterThan(0);
    expect(occurrences.length).toBeLessThanOrEqual(FEED_LIMITS.stepsPerEventMax);
  });

  it("cancels a whole series with its master", () => {
    const feed = calendar(
      ...event("s", "DTSTART;VALUE=DATE:20270301", "RRULE:FREQ=WEEKLY;COUNT=3", "STATUS:CANCELLED"),
      ...event("s", "RECURRENCE-ID;VALUE=DATE:20270308", "DTSTART;VALUE=DATE:20270309"),
    );
    expect(nights(feed)).toEqual([]);
  });
});

describe("refusals", () => {
  it.each([
    ["not iCalendar at all", "<html><body>Sign in</body></html>"],
    ["a vCard", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana\r\nEND:VCARD\r\n"],
    ["a truncated calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"],
  ])("refuses %s", (_name, text) => {
    expect(() => parseFeed(text, { timeZone: "UTC", window })).toThrow(FeedParseError);
  });

  it(`refuses more than ${FEED_LIMITS.eventsMax} events`, () => {
    const events = Array.from({ length: FEED_LIMITS.eventsMax + 1 }, (_, i) =>
      event(`e${i}`, "DTSTART;VALUE=DATE:20270310").join("\r\n"),
    );
    expect(() => parseFeed(calendar(...events), { timeZone: "UTC", window })).toThrow(/more than/);
  });
});
