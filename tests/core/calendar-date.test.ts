// Calendar-date core: the instant of a local wall-clock time in a zone, across offsets and DST.
import { describe, expect, it } from "vitest";
import { parseCalendarDate, zonedInstant } from "../../src/core/calendar-date.ts";

const day = (value: string) => {
  const date = parseCalendarDate(value);
  if (!date) throw new Error(`bad test date ${value}`);
  return date;
};

describe("zonedInstant", () => {
  it.each([
    // zone, date, local time, UTC instant, why
    ["Pacific/Kiritimati", "2027-03-10", "15:00", "2027-03-10T01:00:00.000Z", "UTC+14"],
    ["Pacific/Kiritimati", "2027-03-10", "00:00", "2027-03-09T10:00:00.000Z", "UTC+14: previous UTC day"],
    ["Pacific/Kiritimati", "2027-03-10", "13:59", "2027-03-09T23:59:00.000Z", "UTC+14: last minute before"],
    ["Pacific/Honolulu", "2027-03-10", "15:00", "2027-03-11T01:00:00.000Z", "UTC−10: next UTC day"],
    ["Pacific/Honolulu", "2027-03-10", "13:59", "2027-03-10T23:59:00.000Z", "UTC−10: same UTC day"],
    ["Pacific/Honolulu", "2027-07-10", "15:00", "2027-07-11T01:00:00.000Z", "no DST in Hawaii"],
    ["UTC", "2027-03-10", "15:00", "2027-03-10T15:00:00.000Z", "UTC"],
    ["Asia/Kolkata", "2027-03-10", "15:00", "2027-03-10T09:30:00.000Z", "half-hour offset"],
    ["Europe/Lisbon", "2027-01-15", "15:00", "2027-01-15T15:00:00.000Z", "Lisbon winter (WET, +0)"],
    ["Europe/Lisbon", "2027-07-15", "15:00", "2027-07-15T14:00:00.000Z", "Lisbon summer (WEST, +1)"],
    ["Europe/Lisbon", "2027-03-27", "15:00", "2027-03-27T15:00:00.000Z", "the day before spring forward"],
    ["Europe/Lisbon", "2027-03-28", "00:59", "2027-03-28T00:59:00.000Z", "spring forward: before the gap"],
    ["Europe/Lisbon", "2027-03-28", "01:00", "2027-03-28T01:00:00.000Z", "gap starts: 01:00 is 02:00 WEST"],
    ["Europe/Lisbon", "2027-03-28", "01:30", "2027-03-28T01:30:00.000Z", "in the gap: moves on to 02:30"],
    ["Europe/Lisbon", "2027-03-28", "02:00", "2027-03-28T01:00:00.000Z", "after the gap (WEST)"],
    ["Europe/Lisbon", "2027-03-28", "15:00", "2027-03-28T14:00:00.000Z", "spring-forward afternoon"],
    ["Europe/Lisbon", "2027-10-31", "00:30", "2027-10-30T23:30:00.000Z", "fall back: before the overlap"],
    ["Europe/Lisbon", "2027-10-31", "01:00", "2027-10-31T00:00:00.000Z", "overlap: the earlier 01:00"],
    ["Europe/Lisbon", "2027-10-31", "01:30", "2027-10-31T00:30:00.000Z", "overlap: the earlier 01:30"],
    ["Europe/Lisbon", "2027-10-31", "02:00", "2027-10-31T02:00:00.000Z", "after the overlap (WET)"],
    ["Europe/Lisbon", "2027-10-31", "15:00", "2027-10-31T15:00:00.000Z", "fall-back afternoon"],
    ["America/New_York", "2027-03-14", "02:30", "2027-03-14T07:30:00.000Z", "gap: 02:30 is 03:30 EDT"],
    ["America/New_York", "2027-11-07", "01:30", "2027-11-07T05:30:00.000Z", "overlap: 01:30 EDT"],
  ])("%s %s %s → %s (%s)", (zone, date, time, expected) => {
    expect(zonedInstant(day(date), time, zone).toISOString()).toBe(expected);
  });

  it("refuses a time that is not HH:MM and a zone Intl does not know", () => {
    expect(() => zonedInstant(day("2027-03-10"), "24:00", "UTC")).toThrow(RangeError);
    expect(() => zonedInstant(day("2027-03-10"), "3pm", "UTC")).toThrow(RangeError);
    expect(() => zonedInstant(day("2027-03-10"), "15:00", "Mars/Olympus_Mons")).toThrow(RangeError);
  });
});
