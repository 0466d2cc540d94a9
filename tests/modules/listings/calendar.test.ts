// Listing.calendar and setAvailability end to end: blocks, prices, bookings, limits, access, caches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AvailabilityRangeInput,
  ListingCalendarDocument,
  SetAvailabilityDocument,
} from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { listingCacheTags, searchPageTags } from "../../../src/modules/listings/cache-tags.ts";
import { eachNight, formatCalendarDate } from "../../../src/core/calendar-date.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { isExclusionViolation } from "../../../src/infra/db-errors.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf, type GraphQLClient } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { day, insertBookingRow } from "../../helpers/booking-rows.ts";

// Today is 2027-03-01 for a listing in UTC (the factory's default zone).
const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let host: TestUser;
let guest: TestUser;

beforeAll(async () => {
  t = await startTestApp({ clock });
  host = await factories(t).user().host().create();
  guest = await factories(t).user().create();
});
afterAll(() => t.close());

/** A listed €100-a-night listing of `host`. */
const newListing = () => factories(t).listing(host).listed().create();
const globalId = (listing: { id: string }) => encodeGlobalId("Listing", listing.id);

const setAvailability = (client: GraphQLClient, listing: { id: string }, ranges: AvailabilityRangeInput[]) =>
  client.request(SetAvailabilityDocument, { input: { listingId: globalId(listing), ranges } });

async function calendar(listing: { id: string }, from: string, to: string, client = host.client) {
  return (
    (await client.ok(ListingCalendarDocument, { id: globalId(listing), from, to })).listing?.calendar ?? []
  );
}

/** The nights in [from, to) that cannot be booked. */
async function heldNights(listing: { id: string }, from: string, to: string): Promise<string[]> {
  return (await calendar(listing, from, to)).filter((night) => !night.available).map((night) => night.date);
}

/** The listing's host blocks as [start, end) pairs. */
async function blocks(listing: { id: string }): Promise<string[][]> {
  const rows = await t.app.db.calendarHold.findMany({
    where: { listingId: listing.id, kind: "BLOCK" },
    orderBy: { startDate: "asc" },
  });
  return rows.map((row) => [row.startDate, row.endDate].map(formatCalendarDate));
}

/** Every night in [from, to), "YYYY-MM-DD". */
const datesFrom = (from: string, to: string): string[] =>
  eachNight(day(from), day(to)).map(formatCalendarDate);

describe("Listing.calendar", () => {
  it("lists each night from `from` up to `to`, free at the base price", async () => {
    const listing = await newListing();
    const nights = await calendar(listing, "2027-03-30", "2027-04-02", t.client);
    expect(nights).toEqual(
      ["2027-03-30", "2027-03-31", "2027-04-01"].map((date) => ({
        date,
        available: true,
        nightlyPrice: { amount: 10_000, currency: "EUR", formatted: "€100.00" },
      })),
    );
  });

  it("shows blocks and custom prices", async () => {
    const listing = await newListing();
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: globalId(listing),
        ranges: [
          { start: "2027-03-10", end: "2027-03-12", available: false },
          { start: "2027-03-12", end: "2027-03-14", available: true, nightlyPrice: 15_000 },
        ],
      },
    });
    const nights = await calendar(listing, "2027-03-09", "2027-03-15");
    expect(nights.map((night) => [night.date, night.available, night.nightlyPrice.amount])).toEqual([
      ["2027-03-09", true, 10_000],
      ["2027-03-10", false, 10_000],
      ["2027-03-11", false, 10_000],
      ["2027-03-12", true, 15_000],
      ["2027-03-13", true, 15_000],
      ["2027-03-14", true, 10_000],
    ]);
  });

  it("holds a pending or confirmed booking's nights, and frees them when it is cancelled", async () => {
    const listing = await newListing();
    const booking = await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-04-10",
      checkOut: "2027-04-13",
      status: "PENDING",
    });
    const booked = ["2027-04-10", "2027-04-11", "2027-04-12"];
    expect(await heldNights(listing, "2027-04-08", "2027-04-15")).toEqual(booked);
    // Status changes straight in the database, then the invalidation the app's own writes do.
    const setStatus = async (status: "CONFIRMED" | "CANCELLED") => {
      await t.app.db.booking.update({ where: { id: booking.id }, data: { status } });
      await t.app.cache.invalidate(listingCacheTags.listing(listing.id));
    };
    await setStatus("CONFIRMED");
    expect(await heldNights(listing, "2027-04-08", "2027-04-15")).toEqual(booked);
    await setStatus("CANCELLED");
    expect(await heldNights(listing, "2027-04-08", "2027-04-15")).toEqual([]);
    // A booking that never was live holds nothing.
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-04-20",
      checkOut: "2027-04-22",
      status: "DECLINED",
    });
    expect(await heldNights(listing, "2027-04-19", "2027-04-23")).toEqual([]);
  });

  it("reads up to 366 nights, past ones included", async () => {
    const listing = await newListing();
    expect(await calendar(listing, "2026-03-01", "2027-03-02")).toHaveLength(366);
  });

  it.each([
    ["to equal to from", "2027-03-10", "2027-03-10", "must be after from"],
    ["to before from", "2027-03-10", "2027-03-09", "must be after from"],
    ["367 nights", "2027-03-01", "2028-03-02", "must be at most 366 nights after from"],
  ])("refuses %s with BAD_USER_INPUT on `to`", async (_case, from, to, message) => {
    const listing = await newListing();
    const result = await host.client.request(ListingCalendarDocument, { id: globalId(listing), from, to });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path: "to", message }]);
  });
});

describe("setAvailability", () => {
  it("blocks nights and returns the listing", async () => {
    const listing = await newListing();
    const result = await setAvailability(host.client, listing, [
      { start: "2027-03-10", end: "2027-03-13", available: false },
    ]);
    expect(result.errors).toBeUndefined();
    expect(result.data?.setAvailability.listing.id).toBe(globalId(listing));
    expect(await heldNights(listing, "2027-03-01", "2027-04-01")).toEqual([
      "2027-03-10",
      "2027-03-11",
      "2027-03-12",
    ]);
  });

  it("splits a block when its middle is freed, and trims it when an edge is", async () => {
    const listing = await newListing();
    await setAvailability(host.client, listing, [
      { start: "2027-03-10", end: "2027-03-20", available: false },
    ]);
    await setAvailability(host.client, listing, [
      { start: "2027-03-13", end: "2027-03-15", available: true },
    ]);
    expect(await blocks(listing)).toEqual([
      ["2027-03-10", "2027-03-13"],
      ["2027-03-15", "2027-03-20"],
    ]);
    await setAvailability(host.client, listing, [
      { start: "2027-03-08", end: "2027-03-11", available: true },
      { start: "2027-03-19", end: "2027-03-25", available: true },
    ]);
    expect(await blocks(listing)).toEqual([
      ["2027-03-11", "2027-03-13"],
      ["2027-03-15", "2027-03-19"],
    ]);
    expect(await heldNights(listing, "2027-03-01", "2027-04-01")).toEqual([
      "2027-03-11",
      "2027-03-12",
      "2027-03-15",
      "2027-03-16",
      "2027-03-17",
      "2027-03-18",
    ]);
  });

  it("merges a block with the blocks it overlaps or touches, so blocks never overlap", async () => {
    const listing = await newListing();
    await setAvailability(host.client, listing, [
      { start: "2027-03-10", end: "2027-03-12", available: false },
      { start: "2027-03-14", end: "2027-03-16", available: false },
      { start: "2027-03-20", end: "2027-03-22", available: false },
    ]);
    await setAvailability(host.client, listing, [
      { start: "2027-03-11", end: "2027-03-14", available: false },
    ]);
    expect(await blocks(listing)).toEqual([
      ["2027-03-10", "2027-03-16"],
      ["2027-03-20", "2027-03-22"],
    ]);
    // Blocking nights already blocked changes nothing.
    await setAvailability(host.client, listing, [
      { start: "2027-03-20", end: "2027-03-21", available: false },
    ]);
    expect(await blocks(listing)).toEqual([
      ["2027-03-10", "2027-03-16"],
      ["2027-03-20", "2027-03-22"],
    ]);
  });

  it("sets a custom price, keeps it when the price is omitted, and clears it with null", async () => {
    const listing = await newListing();
    const prices = async () =>
      (await calendar(listing, "2027-03-09", "2027-03-13")).map((night) => night.nightlyPrice.amount);
    await setAvailability(host.client, listing, [
      { start: "2027-03-10", end: "2027-03-12", available: true, nightlyPrice: 15_000 },
    ]);
    expect(await prices()).toEqual([10_000, 15_000, 15_000, 10_000]);
    await setAvailability(host.client, listing, [
      { start: "2027-03-11", end: "2027-03-13", available: true, nightlyPrice: 12_000 },
    ]);
    expect(await prices()).toEqual([10_000, 15_000, 12_000, 12_000]);
    await setAvailability(host.client, listing, [
      { start: "2027-03-09", end: "2027-03-13", available: false },
    ]);
    expect(await prices()).toEqual([10_000, 15_000, 12_000, 12_000]);
    await setAvailability(host.client, listing, [
      { start: "2027-03-11", end: "2027-03-12", available: false, nightlyPrice: null },
    ]);
    expect(await prices()).toEqual([10_000, 15_000, 10_000, 12_000]);
    expect(await t.app.db.nightPrice.count({ where: { listingId: listing.id } })).toBe(2);
  });

  it("never frees a booking's nights", async () => {
    const listing = await newListing();
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-10",
      checkOut: "2027-03-12",
      status: "CONFIRMED",
    });
    const result = await setAvailability(host.client, listing, [
      { start: "2027-03-01", end: "2027-03-31", available: true },
    ]);
    expect(result.errors).toBeUndefined();
    expect(await heldNights(listing, "2027-03-01", "2027-03-31")).toEqual(["2027-03-10", "2027-03-11"]);
  });

  it("lets concurrent calls on one listing all succeed, one after the other", async () => {
    const listing = await newListing();
    const results = await Promise.all(
      ["2027-03-10", "2027-03-12", "2027-03-14", "2027-03-16"].map((start, index) =>
        setAvailability(host.client, listing, [
          { start, end: `2027-03-${13 + 2 * index}`, available: false },
        ]),
      ),
    );
    expect(results.map((result) => result.errors)).toEqual([undefined, undefined, undefined, undefined]);
    expect(await blocks(listing)).toEqual([["2027-03-10", "2027-03-19"]]);
  });
});

describe("setAvailability input limits", () => {
  let listing: Listing;
  beforeAll(async () => {
    listing = await newListing();
  });

  const refused = async (ranges: AvailabilityRangeInput[]) => {
    const result = await setAvailability(host.client, listing, ranges);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    return fieldsOf(result);
  };
  const accepted = async (ranges: AvailabilityRangeInput[]) => {
    const result = await setAvailability(host.client, listing, ranges);
    expect(result.errors).toBeUndefined();
  };
  const range = (start: string, end: string, extra: Partial<AvailabilityRangeInput> = {}) => ({
    start,
    end,
    available: true,
    ...extra,
  });

  it("allows 366 nights in a range, not 367", async () => {
    await accepted([range("2027-03-01", "2028-03-01")]);
    expect(await refused([range("2027-03-01", "2028-03-02")])).toEqual([
      { path: "ranges.0.end", message: "must be at most 366 nights after start" },
    ]);
  });

  it("needs end after start", async () => {
    expect(await refused([range("2027-03-10", "2027-03-10")])).toEqual([
      { path: "ranges.0.end", message: "must be after start" },
    ]);
    expect(await refused([range("2027-03-10", "2027-03-09")])).toEqual([
      { path: "ranges.0.end", message: "must be after start" },
    ]);
  });

  it("allows today but not the past, by the listing's own date", async () => {
    await accepted([range("2027-03-01", "2027-03-02")]);
    expect(await refused([range("2027-02-28", "2027-03-02")])).toEqual([
      { path: "ranges.0.start", message: "must not be in the past" },
    ]);
    // At 12:00 UTC it is already 2027-03-02 on Kiritimati (UTC+14).
    const east = await factories(t).listing(host).listed().with({ timeZone: "Pacific/Kiritimati" }).create();
    const result = await setAvailability(host.client, east, [range("2027-03-01", "2027-03-03")]);
    expect(fieldsOf(result)).toEqual([{ path: "ranges.0.start", message: "must not be in the past" }]);
  });

  it("reaches two years ahead and no further", async () => {
    await accepted([range("2028-03-01", "2029-03-01")]);
    expect(await refused([range("2028-03-01", "2029-03-02")])).toEqual([
      { path: "ranges.0.end", message: "must be at most 2 years ahead (2029-03-01)" },
    ]);
  });

  it("takes nightly prices within the listing's currency's limits (EUR: 100 to 2,000,000)", async () => {
    await accepted([range("2027-04-01", "2027-04-02", { nightlyPrice: 100 })]);
    await accepted([range("2027-04-02", "2027-04-03", { nightlyPrice: 2_000_000 })]);
    expect(await refused([range("2027-04-01", "2027-04-02", { nightlyPrice: 99 })])).toEqual([
      { path: "ranges.0.nightlyPrice", message: "must be at least 100" },
    ]);
    expect(
      await refused([
        range("2027-04-01", "2027-04-02"),
        range("2027-04-02", "2027-04-03", { nightlyPrice: 2_000_001 }),
      ]),
    ).toEqual([{ path: "ranges.1.nightlyPrice", message: "must be at most 2000000 for EUR (€20,000.00)" }]);
    // Past every currency's maximum, refused before the listing is read.
    expect(await refused([range("2027-04-01", "2027-04-02", { nightlyPrice: 500_000_001 })])).toEqual([
      { path: "ranges.0.nightlyPrice", message: "must be at most 500000000" },
    ]);

    const dong = await factories(t)
      .listing(host)
      .listed()
      .with({ currency: "VND", nightlyPrice: 1_000_000 })
      .create();
    const inDong = (nightlyPrice: number) =>
      setAvailability(host.client, dong, [range("2027-04-01", "2027-04-02", { nightlyPrice })]);
    expect((await inDong(500_000_000)).errors).toBeUndefined();
    expect(fieldsOf(await inDong(24_999))).toEqual([
      { path: "ranges.0.nightlyPrice", message: "must be at least 25000 for VND (₫25,000)" },
    ]);
  });

  it("takes 1 to 50 ranges per call", async () => {
    const fiftyOneNights = datesFrom("2027-05-01", "2027-06-21").map((start, index, all) =>
      range(start, all[index + 1] ?? "2027-06-21"),
    );
    expect(fiftyOneNights).toHaveLength(51);
    await accepted(fiftyOneNights.slice(0, 50));
    expect(await refused(fiftyOneNights)).toEqual([
      { path: "ranges", message: "must hold at most 50 ranges" },
    ]);
    expect(await refused([])).toEqual([{ path: "ranges", message: "must hold at least one range" }]);
  });

  it("refuses ranges of one call that overlap each other; touching ones are fine", async () => {
    await accepted([
      range("2027-04-10", "2027-04-15"),
      range("2027-04-15", "2027-04-16", { available: false }),
    ]);
    expect(await refused([range("2027-04-10", "2027-04-15"), range("2027-04-14", "2027-04-16")])).toEqual([
      { path: "ranges.1", message: "overlaps ranges.0" },
    ]);
    expect(
      await refused([
        range("2027-04-14", "2027-04-16"),
        range("2027-04-20", "2027-04-21"),
        range("2027-04-01", "2027-04-30"),
      ]),
    ).toEqual([
      { path: "ranges.0", message: "overlaps ranges.2" },
      { path: "ranges.1", message: "overlaps ranges.2" },
    ]);
  });

  it("reports every bad field at once", async () => {
    expect(
      await refused([
        range("2027-04-01", "2027-04-02", { nightlyPrice: 50 }),
        range("2027-04-05", "2027-04-03"),
        range("2027-04-01", "2027-04-03"),
      ]),
    ).toEqual([
      { path: "ranges.0.nightlyPrice", message: "must be at least 100" },
      { path: "ranges.1.end", message: "must be after start" },
      { path: "ranges.2", message: "overlaps ranges.0" },
    ]);
    expect(await refused([range("2027-02-01", "2027-02-02"), range("2029-02-01", "2029-03-05")])).toEqual([
      { path: "ranges.0.start", message: "must not be in the past" },
      { path: "ranges.1.end", message: "must be at most 2 years ahead (2029-03-01)" },
    ]);
  });
});

describe("setAvailability authorization", () => {
  it("needs a signed-in user", async () => {
    const listing = await newListing();
    const result = await setAvailability(t.client, listing, [
      { start: "2027-03-10", end: "2027-03-11", available: false },
    ]);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
    expect(await blocks(listing)).toEqual([]);
  });

  it("answers NOT_FOUND for another host's draft and FORBIDDEN for their listed listing", async () => {
    const draft = await factories(t).listing(host).create();
    const listed = await newListing();
    const other = await factories(t).user().host().create();
    const ranges = [{ start: "2027-03-10", end: "2027-03-11", available: false }];
    expect(codeOf(await setAvailability(other.client, draft, ranges))).toBe("NOT_FOUND");
    expect(codeOf(await setAvailability(other.client, listed, ranges))).toBe("FORBIDDEN");
    expect(
      codeOf(await setAvailability(other.client, { id: "00000000-0000-4000-8000-000000000000" }, ranges)),
    ).toBe("NOT_FOUND");
    expect(await blocks(listed)).toEqual([]);
  });

  it("lets the host change a draft and an admin change anyone's listing", async () => {
    const draft = await factories(t).listing(host).create();
    const admin = await factories(t).user().admin().create();
    const ranges = [{ start: "2027-03-10", end: "2027-03-11", available: false }];
    expect((await setAvailability(host.client, draft, ranges)).errors).toBeUndefined();
    const listed = await newListing();
    expect((await setAvailability(admin.client, listed, ranges)).errors).toBeUndefined();
    expect(await blocks(listed)).toEqual([["2027-03-10", "2027-03-11"]]);
  });
});

describe("booked nights", () => {
  it("answers DATES_UNAVAILABLE when blocking a booked night, and writes nothing at all", async () => {
    const listing = await newListing();
    await setAvailability(host.client, listing, [
      { start: "2027-03-01", end: "2027-03-03", available: false },
    ]);
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-10",
      checkOut: "2027-03-13",
      status: "PENDING",
    });
    const before = await calendar(listing, "2027-03-01", "2027-03-20");

    const result = await setAvailability(host.client, listing, [
      { start: "2027-03-01", end: "2027-03-03", available: true, nightlyPrice: 15_000 },
      { start: "2027-03-05", end: "2027-03-08", available: false },
      { start: "2027-03-12", end: "2027-03-14", available: false },
    ]);
    expect(codeOf(result)).toBe("DATES_UNAVAILABLE");
    expect(fieldsOf(result)).toEqual([{ path: "ranges.2", message: "overlaps a booking" }]);
    expect(await calendar(listing, "2027-03-01", "2027-03-20")).toEqual(before);
    expect(await blocks(listing)).toEqual([["2027-03-01", "2027-03-03"]]);
    expect(await t.app.db.nightPrice.count({ where: { listingId: listing.id } })).toBe(0);

    // Nights next to the booking can be blocked: the stay ends the morning of the 13th.
    const next = await setAvailability(host.client, listing, [
      { start: "2027-03-13", end: "2027-03-15", available: false },
    ]);
    expect(next.errors).toBeUndefined();
  });

  it("is refused by the database too: holds of a listing never overlap (calendar_holds_no_overlap)", async () => {
    const listing = await newListing();
    await setAvailability(host.client, listing, [
      { start: "2027-03-10", end: "2027-03-15", available: false },
    ]);
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-20",
      checkOut: "2027-03-22",
      status: "PENDING",
    });
    const insertBlock = (start: string, end: string) =>
      t.app.db.calendarHold.create({
        data: { listingId: listing.id, kind: "BLOCK", startDate: day(start), endDate: day(end) },
      });

    for (const [start, end] of [
      ["2027-03-14", "2027-03-16"], // over a block
      ["2027-03-21", "2027-03-23"], // over a booking
    ] as const) {
      const error = await insertBlock(start, end).then(
        () => undefined,
        (refusal: unknown) => refusal,
      );
      expect(isExclusionViolation(error), `${start}..${end}`).toBe(true);
    }
    // A booking over a block is refused the same way, by the trigger's insert.
    const booking = insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-12",
      checkOut: "2027-03-13",
      status: "PENDING",
    });
    expect(isExclusionViolation(await booking.catch((refusal: unknown) => refusal))).toBe(true);
    // Touching is not overlapping.
    await insertBlock("2027-03-15", "2027-03-16");
    await insertBlock("2027-03-22", "2027-03-23");
  });
});

describe("after setAvailability", () => {
  it("invalidates the listing's cache and the dated search pages of those months, and no other page", async () => {
    const listing = await newListing();
    let loads = 0;
    const cachedRead = (namespaces: string[]) =>
      t.app.cache.getOrLoad(namespaces, `probe:${listing.id}`, async () => {
        loads += 1;
        return loads;
      });
    const pages = {
      listing: [listingCacheTags.listing(listing.id)],
      undated: searchPageTags({ stay: null }),
      march: searchPageTags({ stay: { checkIn: "2027-02-27", checkOut: "2027-03-11" } }),
      april: searchPageTags({ stay: { checkIn: "2027-04-01", checkOut: "2027-04-05" } }),
    };
    const first = Object.fromEntries(
      await Promise.all(
        Object.entries(pages).map(async ([name, tags]) => [name, await cachedRead(tags)] as const),
      ),
    );
    for (const [name, tags] of Object.entries(pages)) expect(await cachedRead(tags)).toBe(first[name]);

    await setAvailability(host.client, listing, [
      { start: "2027-03-10", end: "2027-03-12", available: false },
    ]);

    expect(await cachedRead(pages.listing)).toBeGreaterThan(4);
    expect(await cachedRead(pages.march)).toBeGreaterThan(4);
    expect(await cachedRead(pages.undated)).toBe(first.undated);
    expect(await cachedRead(pages.april)).toBe(first.april);
    expect(loads).toBe(6);
  });

  it("leaves the caches alone when it is refused", async () => {
    const listing = await newListing();
    let loads = 0;
    const cachedRead = () =>
      t.app.cache.getOrLoad([listingCacheTags.listing(listing.id)], "probe", async () => {
        loads += 1;
        return loads;
      });
    await cachedRead();
    const result = await setAvailability(host.client, listing, [
      { start: "2027-02-01", end: "2027-02-02", available: false },
    ]);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(await cachedRead()).toBe(1);
  });
});
