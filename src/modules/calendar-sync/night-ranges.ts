// Ranges of nights [start, end) as calendar dates: merging, subtracting, comparing. The sync
// turns a feed's events into as few blocks as cover them, minus the nights bookings hold, and
// changes only the blocks that differ.
import { type CalendarDate, formatCalendarDate } from "../../core/calendar-date.ts";

export interface NightRange {
  start: CalendarDate;
  /** Exclusive. */
  end: CalendarDate;
}

export const rangesOverlap = (a: NightRange, b: NightRange): boolean => a.start < b.end && b.start < a.end;

/** "YYYY-MM-DD/YYYY-MM-DD": equal ranges have equal keys. */
export const rangeKey = (range: NightRange): string =>
  `${formatCalendarDate(range.start)}/${formatCalendarDate(range.end)}`;

/** Sorted, with ranges that overlap or touch joined into one; empty ranges dropped. */
export function mergeRanges(ranges: readonly NightRange[]): NightRange[] {
  const sorted = ranges
    .filter((range) => range.start < range.end)
    .toSorted((a, b) => a.start.getTime() - b.start.getTime());
  const merged: NightRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) {
      if (range.end > last.end) last.end = range.end;
    } else {
      merged.push({ start: range.start, end: range.end });
    }
  }
  return merged;
}

/** The nights of `ranges` that are in none of `holes`, merged. */
export function subtractRanges(ranges: readonly NightRange[], holes: readonly NightRange[]): NightRange[] {
  const cuts = mergeRanges(holes);
  return mergeRanges(ranges).flatMap((range) => {
    const pieces: NightRange[] = [];
    let start = range.start;
    for (const cut of cuts) {
      if (cut.end <= start || cut.start >= range.end) continue;
      if (cut.start > start) pieces.push({ start, end: cut.start });
      if (cut.end > start) start = cut.end;
    }
    if (start < range.end) pieces.push({ start, end: range.end });
    return pieces;
  });
}

export interface BlockPlan {
  /** Ids of the blocks to delete. */
  stale: string[];
  added: NightRange[];
  /** The nights that change, for subscribers and caches (nothing wholly past). */
  changed: NightRange[];
}

/**
 * From the blocks an import has to the ranges it wants: what to delete and what to add. Blocks
 * are compared from `today` on, so one that began before today still matches the event under
 * way (clipped to today by the feed reader) and is not rewritten every day.
 */
export function planBlocks(
  existing: ReadonlyArray<NightRange & { id: string }>,
  wanted: readonly NightRange[],
  today: CalendarDate,
): BlockPlan {
  const fromToday = (range: NightRange): NightRange => ({
    start: range.start < today ? today : range.start,
    end: range.end,
  });
  const wantedKeys = new Set(wanted.map(rangeKey));
  const existingKeys = new Set(existing.map((block) => rangeKey(fromToday(block))));
  const stale = existing.filter((block) => !wantedKeys.has(rangeKey(fromToday(block))));
  const added = wanted.filter((range) => !existingKeys.has(rangeKey(range)));
  return {
    stale: stale.map((block) => block.id),
    added,
    // A block wholly past goes too; clipped to today it is empty, and no calendar shows it.
    changed: [...stale.map(fromToday), ...added].filter((range) => range.start < range.end),
  };
}
