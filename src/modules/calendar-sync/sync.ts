// Syncing one calendar import: fetch its feed, read the nights its events take in the window
// (the listing's today up to the calendar's horizon), and make the import's blocks exactly those
// nights minus the ones bookings hold, in one transaction. Bookings and the host's own blocks are
// never touched. An event over a booking does not block over it: the host hears of the conflict
// once (a notification per import and booking). A failed fetch or an unreadable feed changes no
// block: it is recorded on the import (lastError) and the next periodic run tries again.
import type { App } from "../../app.ts";
import { addYears, type CalendarDate, formatCalendarDate } from "../../core/calendar-date.ts";
import { isExclusionViolation } from "../../infra/db-errors.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { announceCalendarChange, CALENDAR_LIMITS, listingToday } from "../listings/calendar.ts";
import { lockListing } from "../listings/service.ts";
import { notify } from "../notifications/service.ts";
import { anyAddress, FeedFetchError, fetchFeed, publicAddressesOnly, type ResolveAll } from "./fetch-feed.ts";
import { type FeedOccurrence, FeedParseError, parseFeed } from "./ical-feed.ts";
import { type NightRange, planBlocks, rangesOverlap, subtractRanges } from "./night-ranges.ts";

export const SYNC_TASK = "calendar_sync_import";
/** One pending sync per import: adding it again while one waits replaces it. */
export const syncJobKey = (calendarImportId: string): string => `calendar_sync:${calendarImportId}`;
/** A sync fails as a job only on a database error: a bad feed is an answer, recorded on the import. */
export const SYNC_MAX_ATTEMPTS = 3;

export const hostOf = (url: string): string => new URL(url).host;

export type SyncOutcome =
  | { kind: "synced"; added: number; removed: number; conflicts: number }
  | { kind: "failed"; error: string }
  /** The import was removed before or while it synced. */
  | { kind: "gone" };

export interface SyncDeps {
  /** DNS for the fetch (tests resolve names of their own). */
  resolve?: ResolveAll;
}

/** Safe to run twice or concurrently: each run makes the blocks what its own fetch says. */
export async function syncCalendarImport(
  app: App,
  calendarImportId: string,
  deps: SyncDeps = {},
): Promise<SyncOutcome> {
  const found = await app.db.calendarImport.findUnique({
    where: { id: calendarImportId },
    select: { id: true, url: true, listing: { select: { id: true, timeZone: true } } },
  });
  if (!found) return { kind: "gone" };
  const today = listingToday(app.clock, found.listing);
  const window = { start: today, end: addYears(today, CALENDAR_LIMITS.horizonYears) };
  let occurrences: FeedOccurrence[];
  try {
    const text = await fetchFeed(found.url, {
      addressAllowed: app.config.calendarSync.allowPrivateAddresses ? anyAddress : publicAddressesOnly,
      limits: app.config.calendarSync.fetch,
      resolve: deps.resolve,
    });
    occurrences = parseFeed(text, { timeZone: found.listing.timeZone, window });
  } catch (error) {
    if (!(error instanceof FeedFetchError || error instanceof FeedParseError)) throw error;
    await recordFailure(app, found.id, found.listing.id, error.message);
    app.logger.info(
      { calendarImportId, host: hostOf(found.url), reason: error.message },
      "calendar import failed",
    );
    return { kind: "failed", error: error.message };
  }
  // A booking made between reading the bookings and writing the blocks is refused by the
  // listing lock; should one slip in anyway, the constraint refuses the block and we read again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOccurrences(app, found.id, found.listing.id, occurrences, window);
    } catch (error) {
      if (attempt >= 3 || !isExclusionViolation(error)) throw error;
    }
  }
}

async function recordFailure(app: App, calendarImportId: string, listingId: string, message: string) {
  await app.db.calendarImport.updateMany({
    where: { id: calendarImportId },
    data: { lastAttemptAt: app.clock.now(), lastError: message.slice(0, 500) },
  });
  await app.cache.invalidate(listingCacheTags.listing(listingId));
}

interface BookingHold extends NightRange {
  bookingId: string;
}

async function applyOccurrences(
  app: App,
  calendarImportId: string,
  listingId: string,
  occurrences: readonly FeedOccurrence[],
  window: NightRange,
): Promise<SyncOutcome> {
  return unitOfWork(app, async (tx, effects) => {
    // Serializes with setAvailability, bookings and other syncs of this listing.
    await lockListing(tx, listingId);
    const current = await tx.calendarImport.findUnique({
      where: { id: calendarImportId },
      select: { url: true, listing: { select: { hostId: true, title: true } } },
    });
    if (!current) return { kind: "gone" } as const;
    const bookings: BookingHold[] = (
      await tx.calendarHold.findMany({
        where: { listingId, kind: "BOOKING", startDate: { lt: window.end }, endDate: { gt: window.start } },
        select: { bookingId: true, startDate: true, endDate: true },
      })
    ).flatMap((hold) =>
      hold.bookingId ? [{ bookingId: hold.bookingId, start: hold.startDate, end: hold.endDate }] : [],
    );
    const existing = await tx.calendarHold.findMany({
      where: { sourceImportId: calendarImportId },
      select: { id: true, startDate: true, endDate: true },
    });
    const plan = planBlocks(
      existing.map((hold) => ({ id: hold.id, start: hold.startDate, end: hold.endDate })),
      subtractRanges(occurrences, bookings),
      window.start,
    );
    if (plan.stale.length > 0) await tx.calendarHold.deleteMany({ where: { id: { in: plan.stale } } });
    if (plan.added.length > 0) {
      await tx.calendarHold.createMany({
        data: plan.added.map((range) => ({
          listingId,
          kind: "BLOCK" as const,
          sourceImportId: calendarImportId,
          startDate: range.start,
          endDate: range.end,
        })),
      });
    }
    const conflicting = bookings.filter((booking) => occurrences.some((o) => rangesOverlap(o, booking)));
    for (const booking of conflicting) {
      await noticeConflict(tx, effects, app, {
        calendarImportId,
        listingId,
        hostId: current.listing.hostId,
        title: current.listing.title,
        feedHost: hostOf(current.url),
        booking,
      });
    }
    await tx.calendarImport.update({
      where: { id: calendarImportId },
      data: {
        lastAttemptAt: app.clock.now(),
        lastSyncedAt: app.clock.now(),
        lastError: null,
        eventCount: occurrences.length,
      },
    });
    if (plan.changed.length > 0) {
      announceCalendarChange(effects, app, { listingId, ...spanOf(plan.changed) });
    } else {
      // The import's own state (lastSyncedAt) shows on the host's listing.
      effects.afterCommit(() => app.cache.invalidate(listingCacheTags.listing(listingId)));
    }
    return {
      kind: "synced",
      added: plan.added.length,
      removed: plan.stale.length,
      conflicts: conflicting.length,
    };
  });
}

const spanOf = (ranges: readonly NightRange[]): { from: CalendarDate; to: CalendarDate } => ({
  from: new Date(Math.min(...ranges.map((range) => range.start.getTime()))),
  to: new Date(Math.max(...ranges.map((range) => range.end.getTime()))),
});

/** Tells the host once per import and booking: later syncs that still see it stay quiet. */
async function noticeConflict(
  tx: Tx,
  effects: Pick<Effects, "outbox">,
  app: Pick<App, "config">,
  conflict: {
    calendarImportId: string;
    listingId: string;
    hostId: string;
    title: string;
    feedHost: string;
    booking: BookingHold;
  },
): Promise<void> {
  const { booking } = conflict;
  const dates = `${formatCalendarDate(booking.start)} to ${formatCalendarDate(booking.end)}`;
  await notify(tx, effects, {
    userId: conflict.hostId,
    type: "calendar.conflict",
    title: "Calendar conflict",
    body: `An event in the calendar you import from ${conflict.feedHost} overlaps the reservation at ${conflict.title} (${dates}). The nights stay booked here: check the other platform for a double booking.`,
    data: {
      listingId: conflict.listingId,
      bookingId: booking.bookingId,
      calendarImportId: conflict.calendarImportId,
    },
    link: `${app.config.appUrl}/bookings/${booking.bookingId}`,
    dedupeKey: `calendar.conflict:${conflict.calendarImportId}:${booking.bookingId}`,
  });
}
