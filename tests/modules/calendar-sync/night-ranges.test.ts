// Night ranges, a pure core: merging a feed's events, cutting out the nights bookings hold, and
// planning which blocks change.
import { describe, expect, it } from "vitest";
import {
  mergeRanges,
  planBlocks,
  rangeKey,
  subtractRanges,
} from "../../../src/modules/calendar-sync/night-ranges.ts";

const day = (value: string) => new Date(`${value}T00:00:00Z`);
/** "10-13" is 2027-03-10 to 2027-03-13. */
const ranges = (...spans: string[]) =>
  spans.map((span) => {
    const [from, to] = span.split("-");
    return { start: day(`2027-03-${from}`), end: day(`2027-03-${to}`) };
  });
const keys = (list: Array<{ start: Date; end: Date }>) => list.map(rangeKey);

describe("mergeRanges", () => {
  it.each([
    [[], []],
    [["10-13"], ["10-13"]],
    [
      ["20-22", "10-13"],
      ["10-13", "20-22"],
    ],
    [["10-13", "12-15"], ["10-15"]],
    [["10-13", "13-15"], ["10-15"]], // touching: one block
    [["10-20", "12-14"], ["10-20"]],
    [["10-10", "11-12"], ["11-12"]], // empty dropped
  ])("%j → %j", (given, expected) => {
    expect(keys(mergeRanges(ranges(...given)))).toEqual(keys(ranges(...expected)));
  });
});

describe("subtractRanges", () => {
  it.each([
    [["10-20"], [], ["10-20"]],
    [["10-20"], ["12-14"], ["10-12", "14-20"]],
    [["10-20"], ["05-12"], ["12-20"]],
    [["10-20"], ["18-25"], ["10-18"]],
    [["10-20"], ["05-25"], []],
    [["10-20"], ["10-20"], []],
    [["10-20"], ["12-13", "15-16"], ["10-12", "13-15", "16-20"]],
    [["10-13", "15-18"], ["12-16"], ["10-12", "16-18"]],
    [["10-13"], ["20-25"], ["10-13"]],
    [["10-13"], ["13-15", "08-10"], ["10-13"]], // adjacent holes take nothing
  ])("%j minus %j → %j", (given, holes, expected) => {
    expect(keys(subtractRanges(ranges(...given), ranges(...holes)))).toEqual(keys(ranges(...expected)));
  });
});

describe("planBlocks", () => {
  const today = day("2027-03-05");
  const blocks = (...spans: string[]) => ranges(...spans).map((range, i) => ({ ...range, id: `b${i}` }));

  it("keeps what is wanted, deletes what is not, adds what is new", () => {
    const plan = planBlocks(blocks("10-13", "20-25"), ranges("10-13", "26-28"), today);
    expect(plan.stale).toEqual(["b1"]);
    expect(keys(plan.added)).toEqual(keys(ranges("26-28")));
    expect(keys(plan.changed)).toEqual(keys(ranges("20-25", "26-28")));
  });

  it("matches a block under way (begun before today) to the event clipped to today", () => {
    const plan = planBlocks(blocks("01-08"), ranges("05-08"), today);
    expect(plan).toEqual({ stale: [], added: [], changed: [] });
  });

  it("drops blocks wholly past without announcing them", () => {
    const plan = planBlocks(blocks("01-03"), [], today);
    expect(plan).toEqual({ stale: ["b0"], added: [], changed: [] });
  });

  it("replaces a block whose nights changed", () => {
    const plan = planBlocks(blocks("10-13"), ranges("10-14"), today);
    expect(plan.stale).toEqual(["b0"]);
    expect(keys(plan.changed)).toEqual(keys(ranges("10-13", "10-14")));
  });
});
