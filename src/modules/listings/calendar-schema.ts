// The calendar in the schema: Listing.calendar, setAvailability and the listingCalendarChanged subscription.
import { z } from "zod";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { requireActor } from "../../graphql/actor.ts";
import { nightsBetween, parseCalendarDate } from "../../core/calendar-date.ts";
import { inputRules } from "../../graphql/validation.ts";
import { MoneyRef } from "../pricing/schema.ts";
import {
  CALENDAR_LIMITS,
  type CalendarNight,
  calendarDate,
  listingNights,
  setAvailability,
} from "./calendar.ts";
import { ListingPayload, ListingRef } from "./schema.ts";
import { viewableListing } from "./access.ts";

export const CalendarDayRef = builder.objectRef<CalendarNight>("CalendarDay").implement({
  description: "One night: the date it starts, whether it can be booked, and its price.",
  fields: (t) => ({
    date: t.expose("date", { type: "Date" }),
    available: t.exposeBoolean("available", { description: "False when blocked by the host or booked." }),
    nightlyPrice: t.field({ type: MoneyRef, resolve: (day) => day.nightlyPrice }),
  }),
});

/** Nights from one Date-scalar string to another (both already valid), or NaN. */
const nightsFrom = (start: string, end: string): number => {
  const [from, to] = [parseCalendarDate(start), parseCalendarDate(end)];
  return from && to ? nightsBetween(from, to) : Number.NaN;
};

/** end after start and at most rangeNightsMax nights later, reported on `end`. */
const spanIssue = (nights: number, startName: string): string | undefined => {
  if (!(nights > 0)) return `must be after ${startName}`;
  if (nights > CALENDAR_LIMITS.rangeNightsMax) {
    return `must be at most ${CALENDAR_LIMITS.rangeNightsMax} nights after ${startName}`;
  }
  return undefined;
};

builder.prismaObjectFields(ListingRef, (t) => ({
  calendar: t.field({
    type: [CalendarDayRef],
    description: `Each night from \`from\` up to, not including, \`to\` (at most ${CALENDAR_LIMITS.rangeNightsMax}).`,
    args: { from: t.arg({ type: "Date", required: true }), to: t.arg({ type: "Date", required: true }) },
    validate: z.looseObject({ from: z.string(), to: z.string() }).superRefine((args, issues) => {
      const message = spanIssue(nightsFrom(args.from, args.to), "from");
      if (message) issues.addIssue({ code: "custom", path: ["to"], message });
    }),
    select: { id: true, nightlyPrice: true, currency: true },
    resolve: (listing, args, ctx) =>
      listingNights(ctx.app.db, listing, calendarDate(args.from, "from"), calendarDate(args.to, "to")),
  }),
}));

const availabilityRangeRules = z
  .looseObject({
    start: z.string(),
    end: z.string(),
    nightlyPrice: z
      .number()
      .int()
      .min(CALENDAR_LIMITS.nightlyPriceMin, `must be at least ${CALENDAR_LIMITS.nightlyPriceMin}`)
      .max(CALENDAR_LIMITS.nightlyPriceMax, `must be at most ${CALENDAR_LIMITS.nightlyPriceMax}`)
      .nullish(),
  })
  .superRefine((range, issues) => {
    const message = spanIssue(nightsFrom(range.start, range.end), "start");
    if (message) issues.addIssue({ code: "custom", path: ["end"], message });
  });

/** Ranges of one call must not overlap: their order would decide the outcome. */
function refuseOverlaps(ranges: ReadonlyArray<{ start: string; end: string }>, issues: z.RefinementCtx) {
  // YYYY-MM-DD strings sort as dates; ranges whose own span is wrong are reported already.
  const sorted = ranges
    .map((range, index) => ({ ...range, index }))
    .filter((range) => range.start < range.end)
    .sort((a, b) => a.start.localeCompare(b.start));
  let furthest: (typeof sorted)[number] | undefined;
  for (const range of sorted) {
    if (furthest && range.start < furthest.end) {
      issues.addIssue({ code: "custom", path: [range.index], message: `overlaps ranges.${furthest.index}` });
    }
    if (!furthest || range.end > furthest.end) furthest = range;
  }
}

const AvailabilityRangeInput = builder.inputType("AvailabilityRangeInput", {
  fields: (t) => ({
    start: t.field({ type: "Date", required: true, description: "The first night; not in the past." }),
    end: t.field({
      type: "Date",
      required: true,
      description: `Exclusive; at most ${CALENDAR_LIMITS.rangeNightsMax} nights after start and ${CALENDAR_LIMITS.horizonYears} years from today.`,
    }),
    available: t.boolean({
      required: true,
      description: "false blocks the nights, true frees blocked ones.",
    }),
    nightlyPrice: t.int({
      description:
        "Minor units of the listing's currency, within that currency's nightly price limits (`currencies`), for each night of the range; null restores the base price; omitted leaves prices as they are.",
    }),
  }),
});

const SetAvailabilityInput = builder.inputType("SetAvailabilityInput", {
  validate: inputRules({
    ranges: z
      .array(availabilityRangeRules)
      .min(1, "must hold at least one range")
      .max(CALENDAR_LIMITS.rangesPerCallMax, `must hold at most ${CALENDAR_LIMITS.rangesPerCallMax} ranges`)
      .superRefine(refuseOverlaps),
  }),
  fields: (t) => ({
    listingId: t.id({ required: true }),
    ranges: t.field({
      type: [AvailabilityRangeInput],
      required: true,
      description: `At most ${CALENDAR_LIMITS.rangesPerCallMax} ranges, not overlapping each other.`,
    }),
  }),
});

builder.mutationField("setAvailability", (t) =>
  t.field({
    type: ListingPayload("SetAvailabilityPayload"),
    description:
      "Blocks, frees and prices ranges of the listing's nights, all or nothing. Host or admin only; DATES_UNAVAILABLE when blocking a booked night.",
    args: { input: t.arg({ type: SetAvailabilityInput, required: true }) },
    authScopes: (_root, { input }) => ({ listingOwner: decodeIdOf("Listing", input.listingId, "Listing") }),
    resolve: async (_root, { input }, ctx) => ({
      listing: await setAvailability(
        requireActor(ctx),
        {
          listingId: decodeIdOf("Listing", input.listingId, "Listing"),
          ranges: input.ranges.map((range, index) => ({
            start: calendarDate(range.start, `ranges.${index}.start`),
            end: calendarDate(range.end, `ranges.${index}.end`),
            available: range.available,
            nightlyPrice: range.nightlyPrice,
          })),
        },
        ctx.app,
      ),
    }),
  }),
);

interface CalendarChange {
  listingId: string;
  from: Date;
  to: Date;
  days: CalendarNight[];
}

const CalendarChangeRef = builder.objectRef<CalendarChange>("CalendarChange").implement({
  description: "Nights of a listing that changed (blocked, freed, booked or repriced), as they are now.",
  fields: (t) => ({
    listingId: t.globalID({ resolve: (change) => ({ type: "Listing", id: change.listingId }) }),
    from: t.expose("from", { type: "Date" }),
    to: t.expose("to", { type: "Date", description: "Exclusive." }),
    days: t.expose("days", { type: [CalendarDayRef] }),
  }),
});

builder.subscriptionType({});

const nightsByEvent = new WeakMap<object, Promise<CalendarNight[]>>();

builder.subscriptionField("listingCalendarChanged", (t) =>
  t.field({
    type: CalendarChangeRef,
    description: "Changes to a listing's calendar. Public for listed listings; drafts only for their host.",
    args: { listingId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const listing = await viewableListing(
        ctx.actor,
        decodeIdOf("Listing", args.listingId, "Listing"),
        ctx.app,
      );
      return ctx.app.pubsub.subscribe("listingCalendarChanged", listing.id);
    },
    // The event names the nights; they are read now, so every subscriber sees committed state.
    // Subscribers in this process receive the same event object and share one read of the nights.
    resolve: async (event, _args, ctx) => {
      const listing = await viewableListing(ctx.actor, event.listingId, ctx.app);
      const [from, to] = [calendarDate(event.from, "from"), calendarDate(event.to, "to")];
      let days = nightsByEvent.get(event);
      if (!days) {
        days = listingNights(ctx.app.db, listing, from, to);
        nightsByEvent.set(event, days);
      }
      return { listingId: listing.id, from, to, days: await days };
    },
  }),
);
