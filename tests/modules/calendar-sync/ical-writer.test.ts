// The export writer, a pure core: RFC 5545 line folding, escaping and CRLF, read back by ical.js.
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { escapeText, fold, writeCalendar } from "../../../src/modules/calendar-sync/ical-writer.ts";

const octets = (line: string) => new TextEncoder().encode(line).length;

describe("fold", () => {
  it("leaves a line of 75 octets alone and folds longer ones to 75 octets each", () => {
    expect(fold("x".repeat(75))).toBe("x".repeat(75));
    const lines = fold(`SUMMARY:${"x".repeat(200)}`).split("\r\n");
    expect(lines.length).toBe(3);
    for (const line of lines) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(lines.slice(1).every((line) => line.startsWith(" "))).toBe(true);
    expect(lines.map((line, i) => (i === 0 ? line : line.slice(1))).join("")).toBe(
      `SUMMARY:${"x".repeat(200)}`,
    );
  });

  it("never splits a UTF-8 character", () => {
    const text = `X-WR-CALNAME:${"Casa do Avô 🏠 ".repeat(12)}`;
    const lines = fold(text).split("\r\n");
    for (const line of lines) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      expect(line).not.toContain("\uFFFD");
    }
    expect(lines.map((line, i) => (i === 0 ? line : line.slice(1))).join("")).toBe(text);
  });
});

describe("escapeText", () => {
  it("escapes backslashes, semicolons, commas and newlines, and drops other controls", () => {
    expect(escapeText("a\\b;c,d\ne\r\nf\u0007g")).toBe("a\\\\b\\;c\\,d\\ne\\nfg");
  });
});

describe("writeCalendar", () => {
  const text = writeCalendar({
    name: "Roost: Casa, do; Avô — a very long listing title that will need folding twice over",
    events: [
      {
        uid: "booking-1@api.roost.example",
        stamp: new Date("2027-02-20T10:11:12.345Z"),
        start: new Date("2027-03-10T00:00:00Z"),
        end: new Date("2027-03-13T00:00:00Z"),
        summary: "Reserved",
        status: "CONFIRMED",
      },
    ],
  });

  it("ends every line, the last too, with CRLF and keeps lines within 75 octets", () => {
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of text.split("\r\n")) expect(octets(line)).toBeLessThanOrEqual(75);
  });

  it("is read back by ical.js as written", () => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.getFirstPropertyValue("version")).toBe("2.0");
    expect(calendar.getFirstPropertyValue("prodid")).toBe("-//Roost//Calendar export 1.0//EN");
    // An X- property's value is unknown-typed to ical.js, so it comes back as written (escaped).
    expect(calendar.getFirstPropertyValue("x-wr-calname")).toBe(
      "Roost: Casa\\, do\\; Avô — a very long listing title that will need folding twice over",
    );
    const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent")!);
    expect(event.uid).toBe("booking-1@api.roost.example");
    expect(event.startDate.toString()).toBe("2027-03-10");
    expect(event.startDate.isDate).toBe(true);
    expect(event.endDate.toString()).toBe("2027-03-13");
    expect(String(event.component.getFirstPropertyValue("dtstamp"))).toBe("2027-02-20T10:11:12Z");
  });
});
