// A listing's calendar: which nights are held (host blocks, live bookings) and what each costs,
// and the host's setAvailability that blocks, frees and prices ranges of nights.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import {
  addYears,
  type CalendarDate,
  eachNight,
  formatCalendarDate,
  localDate,
  parseCalendarDate,
} from "../../core/calendar-date.ts";
import { AppError, badInput, type FieldError } from "../../core/errors.ts";
import type { Clock } from "../../infra/clock.ts";
import { type Effects, unitOfWork } from "../../infra/unit-of-work.ts";
import type { Listing, Prisma } from "../../generated/prisma/client.ts";
import { ANY_CURRENCY_LIMITS, type Money, money, nightlyPriceIssues } from "../pricing/money.ts";
import { customNightPrices } from "../pricing/service.ts";
import { lockedListing } from "./service.ts";
import { nightsChangeTags } from "./cache-tags.ts";
import "./events.ts";

/** Reads go through the client or, inside a transaction, its transaction client. */
type DbClient = Prisma.TransactionClient;

export const CALENDAR_LIMITS = {
  /** Nights one calendar read or one availability range may span. */
  rangeNightsMax: 366,
  rangesPerCallMax: 50,
  /** setAvailability reaches at most this many years past the listing's today. */
  horizonYears: 2,
  /** In any currency; the listing's own currency's limits (pricing/money.ts) apply on top. */
  nightlyPriceMin: ANY_CURRENCY_LIMITS.nightlyPriceMin,
  nightlyPriceMax: ANY_CURRENCY_LIMITS.nightlyPriceMax,
} as const;

export interface CalendarNight {
  date: CalendarDate;
  available: boolean;
  nightlyPrice: Money;
}

export interface AvailabilityRange {
  start: CalendarDate;
  /** Exclusive. */
  end: CalendarDate;
  available: boolean;
  /** A number sets the range's price, null restores the base price, undefined leaves prices alone. */
  nightlyPrice?: number | null;
}

/** A Date-scalar input (already checked by the scalar) as a CalendarDate. */
export function calendarDate(value: string, path: string): CalendarDate {
  const date = parseCalendarDate(value);
  if (!date) throw badInput([{ path, message: "must be a calendar date YYYY-MM-DD" }]);
  return date;
}

/** "Today" for date rules is the listing's local date, by the app's (injectable) clock. */
export const listingToday = (clock: Clock, listing: { timeZone: string }): CalendarDate =>
  localDate(clock.now(), listing.timeZone);

export const datesUnavailable = (fields?: FieldError[]): AppError =>
  new AppError("DATES_UNAVAILABLE", "The listing is not available on some of those nights", { fields });

/** Holds touching [from, to) overlap it: nights are [start, end). */
const overlapping = (from: Date, to: Date) => ({ startDate: { lt: to }, endDate: { gt: from } });

/** Host prices for the nights in [from, to), keyed "YYYY-MM-DD"; nights without one cost the base price. */
export async function customPricesFor(
  db: DbClient,
  listingId: string,
  from: Date,
  to: Date,
): Promise<Map<string, number>> {
  return (await customNightPrices(db, [listingId], from, to)).get(listingId) ?? new Map();
}

/** True when a block or a live booking holds any night in [from, to). */
export async function hasHeldNight(db: DbClient, listingId: string, from: Date, to: Date): Promise<boolean> {
  const hold = await db.calendarHold.findFirst({
    where: { listingId, ...overlapping(from, to) },
    select: { id: true },
  });
  return hold !== null;
}

/** Each night in [from, to): held or free, and its price (custom, else the listing's base price). */
export async function listingNights(
  db: DbClient,
  listing: { id: string; nightlyPrice: number; currency: string },
  from: Date,
  to: Date,
): Promise<CalendarNight[]> {
  // Booking holds exist only while the booking is PENDING or CONFIRMED (kept by a trigger).
  const holds = await db.calendarHold.findMany({
    where: { listingId: listing.id, ...overlapping(from, to) },
    select: { startDate: true, endDate: true },
  });
  const prices = await customPricesFor(db, listing.id, from, to);
  return eachNight(from, to).map((date) => ({
    date,
    available: !holds.some((hold) => hold.startDate <= date && date < hold.endDate),
    nightlyPrice: money(prices.get(formatCalendarDate(date)) ?? listing.nightlyPrice, listing.currency),
  }));
}

/** The rules that depend on the listing's today; the input's own shape is checked at the edge. */
export function availabilityDateIssues(ranges: readonly AvailabilityRange[], today: Date): FieldError[] {
  const horizon = addYears(today, CALENDAR_LIMITS.horizonYears);
  const issues: FieldError[] = [];
  ranges.forEach((range, index) => {
    if (range.start < today) {
      issues.push({ path: `ranges.${index}.start`, message: "must not be in the past" });
    }
    if (range.end > horizon) {
      issues.push({
        path: `ranges.${index}.end`,
        message: `must be at most ${CALENDAR_LIMITS.horizonYears} years ahead (${formatCalendarDate(horizon)})`,
      });
    }
  });
  return issues;
}

/**
 * Blocks, frees and prices ranges of nights, all in one transaction. Host blocks never
 * overlap each other (a block absorbs the blocks it overlaps or touches; freeing trims or
 * splits them); booking holds and imported blocks are never touched, and blocking a booked
 * night is refused. The caller has been authorized as the listing's host (the `listingOwner` scope).
 */
export async function setAvailability(
  actor: UserActor,
  input: { listingId: string; ranges: readonly AvailabilityRange[] },
  app: App,
): Promise<Listing> {
  const { listingId, ranges } = input;
  const listing = await unitOfWork(
    app,
    async (tx, effects) => {
      // Locked first: calendar edits serialize per listing (the merge reads the blocks it
      // rewrites), and the time zone and currency checked below cannot change meanwhile.
      const locked = await lockedListing(tx, listingId);
      const issues = [
        ...availabilityDateIssues(ranges, listingToday(app.clock, locked)),
        ...ranges.flatMap((range, index) =>
          nightlyPriceIssues(locked.currency, { nightlyPrice: range.nightlyPrice }, `ranges.${index}.`),
        ),
      ];
      if (issues.length) throw badInput(issues);
      await refuseBookedNights(tx, listingId, ranges);
      for (const range of ranges) {
        if (range.available) await freeNights(tx, listingId, range);
        else await blockNights(tx, listingId, range);
        if (range.nightlyPrice !== undefined) await priceNights(tx, listingId, range, range.nightlyPrice);
      }
      const from = new Date(Math.min(...ranges.map((range) => range.start.getTime())));
      const to = new Date(Math.max(...ranges.map((range) => range.end.getTime())));
      announceCalendarChange(effects, app, { listingId, from, to });
      return locked;
    },
    { errors: { exclusion: datesUnavailable() } },
  );
  app.logger.debug({ listingId, userId: actor.userId, ranges: ranges.length }, "availability set");
  return listing;
}

/**
 * Inside a unit of work that changes nights in [from, to): cached reads are dropped and
 * subscribers told once it commits (the event through the outbox, so it is not lost).
 */
export function announceCalendarChange(
  effects: Effects,
  app: Pick<App, "cache">,
  change: { listingId: string; from: CalendarDate; to: CalendarDate },
): void {
  effects.afterCommit(() =>
    app.cache.invalidate(...nightsChangeTags(change.listingId, change.from, change.to)),
  );
  effects.outbox({
    topic: "listingCalendarChanged",
    id: change.listingId,
    payload: {
      listingId: change.listingId,
      from: formatCalendarDate(change.from),
      to: formatCalendarDate(change.to),
    },
  });
}

/** A better answer than the exclusion constraint's, checked first: which range hits a booking. */
async function refuseBookedNights(tx: DbClient, listingId: string, ranges: readonly AvailabilityRange[]) {
  const blocking = ranges.filter((range) => !range.available);
  if (blocking.length === 0) return;
  const booked = await tx.calendarHold.findMany({
    where: { listingId, kind: "BOOKING", OR: blocking.map((range) => overlapping(range.start, range.end)) },
    select: { startDate: true, endDate: true },
  });
  const fields = ranges.flatMap((range, index) =>
    !range.available && booked.some((hold) => hold.startDate < range.end && hold.endDate > range.start)
      ? [{ path: `ranges.${index}`, message: "overlaps a booking" }]
      : [],
  );
  if (fields.length) throw datesUnavailable(fields);
}

/**
 * The host's own blocks. Blocks kept by a calendar import (calendar-sync) belong to their feed:
 * setAvailability neither merges nor frees them, and they may overlap the host's own.
 */
const OWN_BLOCK = { kind: "BLOCK", sourceImportId: null } as const;

/** One block over the range and every own block it overlaps or touches. */
async function blockNights(tx: DbClient, listingId: string, range: AvailabilityRange) {
  const neighbours = await tx.calendarHold.findMany({
    where: { listingId, ...OWN_BLOCK, startDate: { lte: range.end }, endDate: { gte: range.start } },
  });
  const startDate = new Date(
    Math.min(range.start.getTime(), ...neighbours.map((b) => b.startDate.getTime())),
  );
  const endDate = new Date(Math.max(range.end.getTime(), ...neighbours.map((b) => b.endDate.getTime())));
  await tx.calendarHold.deleteMany({ where: { id: { in: neighbours.map((b) => b.id) } } });
  await tx.calendarHold.create({ data: { listingId, kind: "BLOCK", startDate, endDate } });
}

/** Removes the range from every own block: blocks inside go, blocks across its edges are trimmed or split. */
async function freeNights(tx: DbClient, listingId: string, range: AvailabilityRange) {
  const blocks = await tx.calendarHold.findMany({
    where: { listingId, ...OWN_BLOCK, ...overlapping(range.start, range.end) },
  });
  if (blocks.length === 0) return;
  await tx.calendarHold.deleteMany({ where: { id: { in: blocks.map((b) => b.id) } } });
  const remnants = blocks.flatMap((b) => [
    ...(b.startDate < range.start ? [{ startDate: b.startDate, endDate: range.start, note: b.note }] : []),
    ...(b.endDate > range.end ? [{ startDate: range.end, endDate: b.endDate, note: b.note }] : []),
  ]);
  if (remnants.length) {
    await tx.calendarHold.createMany({
      data: remnants.map((r) => ({ ...r, listingId, kind: "BLOCK" as const })),
    });
  }
}

async function priceNights(tx: DbClient, listingId: string, range: AvailabilityRange, amount: number | null) {
  await tx.nightPrice.deleteMany({ where: { listingId, night: { gte: range.start, lt: range.end } } });
  if (amount === null) return;
  await tx.nightPrice.createMany({
    data: eachNight(range.start, range.end).map((night) => ({ listingId, night, amount })),
  });
}
