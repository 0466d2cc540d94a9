// searchListings end to end: every filter and sort, stay totals that agree with `quote`, stable
// keyset pages, validation, and the search cache. Each test works in its own patch of the map.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ListingSearchInput,
  type ListingSort,
  QuoteDocument,
  SearchListingPinsDocument,
  type SearchListingPinsQuery,
  SearchListingsDocument,
  UpdateListingDocument,
} from "../../../schema/generated/graphql.ts";
import { type Listing, Prisma } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { listingCacheTags } from "../../../src/modules/listings/cache-tags.ts";
import { addDays, formatCalendarDate, parseCalendarDate } from "../../../src/core/calendar-date.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { quoteListingStay } from "../../../src/modules/pricing/service.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { day, insertBookingRow } from "../../helpers/booking-rows.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let host: TestUser;
let guest: TestUser;

beforeAll(async () => {
  t = await startTestApp({
    clock,
    configure: (config) => {
      config.pricing = { serviceFeeBps: 1_400, taxBps: 1_000, hostFeeBps: 300 };
      // This file checks the search and its cache of pages, whose changes it makes behind the
      // API's back; the response cache in front of them is tested in graphql/response-cache.test.ts.
      config.responseCache = false;
    },
  });
  host = await factories(t).user().host().named("Hana", "Host").create();
  guest = await factories(t).user().named("Gus", "Guest").create();
});
afterAll(() => t.close());

interface Spot {
  lat: number;
  lng: number;
}

let areas = 0;
/** A fresh patch of the map, ~280 km from every other test's, so a test sees only its listings. */
function area(): Spot {
  areas += 1;
  return { lat: -70 + areas * 2.5, lng: -170 + ((areas * 37) % 340) };
}

/** A spot `km` kilometres north (negative: south) and `eastKm` east of another. */
const offset = (at: Spot, km: number, eastKm = 0): Spot => ({
  lat: at.lat + km / 111.2,
  lng: at.lng + eastKm / (111.2 * Math.cos((at.lat * Math.PI) / 180)),
});

const place = (at: Spot, data: Partial<Prisma.ListingUncheckedCreateInput> = {}) =>
  factories(t)
    .listing(host)
    .listed()
    .with({ lat: at.lat, lng: at.lng, ...data })
    .create();

const gid = (listing: { id: string }) => encodeGlobalId("Listing", listing.id);
const gids = (listings: Array<{ id: string }>) => listings.map(gid);
const near = (at: Spot, radiusKm = 30): Pick<ListingSearchInput, "near"> => ({
  near: { lat: at.lat, lng: at.lng, radiusKm },
});

async function search(filter: ListingSearchInput, sort?: ListingSort, first = 100) {
  return (await t.client.ok(SearchListingPinsDocument, { filter, sort, first })).searchListings;
}

async function idsOf(filter: ListingSearchInput, sort?: ListingSort): Promise<string[]> {
  return (await search(filter, sort)).edges.map((edge) => edge.node.id);
}

/** Walks every page of `size` and returns the ids in order, checking totalCount on each page. */
async function walk(filter: ListingSearchInput, sort: ListingSort, size: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  let totalCount: number | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page: SearchListingPinsQuery["searchListings"] = (
      await t.client.ok(SearchListingPinsDocument, {
        filter,
        sort,
        first: size,
        after,
      })
    ).searchListings;
    totalCount ??= page.totalCount;
    expect(page.totalCount).toBe(totalCount);
    expect(page.totalCountIsExact).toBe(true);
    expect(page.edges.length).toBeLessThanOrEqual(size);
    seen.push(...page.edges.map((edge) => edge.node.id));
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
  throw new Error("pagination did not end");
}

const CHECK_IN = "2027-03-10";
const CHECK_OUT = "2027-03-13";
const stayDates = { checkIn: CHECK_IN, checkOut: CHECK_OUT };

describe("location", () => {
  it("radius: great-circle distance, nearest first with DISTANCE", async () => {
    const at = area();
    const center = await place(at);
    const fourKm = await place(offset(at, 0, 4));
    const nineKmSouth = await place(offset(at, -9));
    await place(offset(at, 11));
    await place(offset(at, 0, -10.5));

    expect(await idsOf({ ...near(at, 10) }, "DISTANCE")).toEqual(gids([center, fourKm, nineKmSouth]));
    expect(await idsOf({ ...near(at, 5) }, "DISTANCE")).toEqual(gids([center, fourKm]));
  });

  it("radius across the antimeridian", async () => {
    const west = await place({ lat: 12.5, lng: 179.9 });
    const east = await place({ lat: 12.5, lng: -179.9 });
    await place({ lat: 12.5, lng: 179 });

    const found = await idsOf({ near: { lat: 12.5, lng: 179.95, radiusKm: 30 } }, "DISTANCE");
    expect(found).toEqual(gids([west, east]));
  });

  it("bounding box: inside only, edges included", async () => {
    const at = area();
    const inside = await place(at);
    const onEdge = await place({ lat: at.lat + 0.5, lng: at.lng });
    await place({ lat: at.lat + 0.51, lng: at.lng });
    await place({ lat: at.lat, lng: at.lng - 0.6 });
    const bounds = {
      north: at.lat + 0.5,
      south: at.lat - 0.5,
      east: at.lng + 0.5,
      west: at.lng - 0.5,
    };

    expect(new Set(await idsOf({ bounds }))).toEqual(new Set(gids([inside, onEdge])));
  });

  it("bounding box crossing the antimeridian (west > east)", async () => {
    const westSide = await place({ lat: -33.2, lng: 179.5 });
    const eastSide = await place({ lat: -33.2, lng: -179.5 });
    await place({ lat: -33.2, lng: 178.5 });
    await place({ lat: -33.2, lng: -178.5 });
    await place({ lat: -33.2, lng: 0 });

    const bounds = { north: -33, south: -33.5, east: -179, west: 179 };
    expect(new Set(await idsOf({ bounds }))).toEqual(new Set(gids([westSide, eastSide])));
  });

  it("radius and box together: both apply", async () => {
    const at = area();
    const a = await place(at);
    await place(offset(at, 0, 8));
    await place(offset(at, 20));
    const bounds = {
      north: at.lat + 1,
      south: at.lat - 1,
      east: at.lng + 0.05,
      west: at.lng - 1,
    };
    expect(await idsOf({ ...near(at, 10), bounds })).toEqual(gids([a]));
  });
});

describe("dates", () => {
  it("only listings free on every night whose min/max nights allow the stay", async () => {
    const at = area();
    const free = await place(at);
    const blocked = await place(at);
    await t.app.db.calendarHold.create({
      data: {
        listingId: blocked.id,
        kind: "BLOCK",
        startDate: day("2027-03-12"),
        endDate: day("2027-03-15"),
      },
    });
    const booked = await place(at);
    await insertBookingRow(t, {
      listing: booked,
      guest,
      checkIn: "2027-03-08",
      checkOut: "2027-03-11",
      status: "CONFIRMED",
    });
    const pending = await place(at);
    await insertBookingRow(t, {
      listing: pending,
      guest,
      checkIn: "2027-03-11",
      checkOut: "2027-03-12",
      status: "PENDING",
    });
    // Nights are [start, end): a block ending on check-in day and one starting on check-out day do not touch the stay.
    const touching = await place(at);
    await t.app.db.calendarHold.createMany({
      data: [
        {
          listingId: touching.id,
          kind: "BLOCK",
          startDate: day("2027-03-05"),
          endDate: day("2027-03-10"),
        },
        {
          listingId: touching.id,
          kind: "BLOCK",
          startDate: day("2027-03-13"),
          endDate: day("2027-03-20"),
        },
      ],
    });
    const cancelled = await place(at);
    await insertBookingRow(t, {
      listing: cancelled,
      guest,
      checkIn: "2027-03-10",
      checkOut: "2027-03-13",
      status: "CANCELLED",
    });
    await place(at, { minNights: 4 });
    await place(at, { maxNights: 2 });
    const exactNights = await place(at, { minNights: 3, maxNights: 3 });

    const withDates = await search({ ...near(at), ...stayDates }, "NEWEST");
    expect(new Set(withDates.edges.map((e) => e.node.id))).toEqual(
      new Set(gids([free, touching, cancelled, exactNights])),
    );
    expect(withDates.totalCount).toBe(4);
    for (const edge of withDates.edges) expect(edge.node.stayTotal).not.toBeNull();

    const withoutDates = await search({ ...near(at) }, "NEWEST");
    expect(withoutDates.totalCount).toBe(9);
    for (const edge of withoutDates.edges) expect(edge.node.stayTotal).toBeNull();
  });

  it("stayTotal is the quote's total: custom nights, discounts, fees (they agree)", async () => {
    const at = area();
    const plain = await place(at, { nightlyPrice: 12_345, cleaningFee: 0 });
    const weekly = await place(at, {
      nightlyPrice: 9_999,
      cleaningFee: 3_333,
      weeklyDiscountPct: 12,
    });
    const custom = await place(at, {
      nightlyPrice: 10_000,
      cleaningFee: 1_500,
      weeklyDiscountPct: 7,
      currency: "JPY",
    });
    await t.app.db.nightPrice.createMany({
      data: [
        { listingId: custom.id, night: day("2027-03-12"), amount: 25_001 },
        { listingId: custom.id, night: day("2027-03-15"), amount: 777 },
        // Outside the stay: must not count.
        { listingId: custom.id, night: day("2027-03-18"), amount: 1 },
      ],
    });
    const listings: Listing[] = [plain, weekly, custom];
    const stay = { checkIn: "2027-03-10", checkOut: "2027-03-18" };
    const customPrices = new Map([
      ["2027-03-12", 25_001],
      ["2027-03-15", 777],
    ]);

    for (const sort of ["RELEVANCE", "PRICE_ASC"] as const) {
      const result = await search({ ...near(at), ...stay }, sort);
      expect(result.edges).toHaveLength(3);
      for (const listing of listings) {
        const edge = result.edges.find((e) => e.node.id === gid(listing));
        const expected = quoteListingStay(
          listing,
          day(stay.checkIn),
          day(stay.checkOut),
          listing.id === custom.id ? customPrices : new Map(),
          t.app.config.pricing,
        );
        expect(edge?.node.stayTotal).toEqual({
          amount: expected.total,
          currency: listing.currency,
        });
        const quoted = await t.client.ok(QuoteDocument, {
          input: { listingId: gid(listing), ...stay, guests: 1 },
        });
        expect(quoted.quote.total.amount).toBe(edge?.node.stayTotal?.amount);
        expect(quoted.quote.currency).toBe(edge?.node.stayTotal?.currency);
      }
    }
  });
});

describe("price", () => {
  it("without dates: the nightly price, bounds included", async () => {
    const at = area();
    const cheap = await place(at, { nightlyPrice: 5_000 });
    const mid = await place(at, { nightlyPrice: 10_000 });
    const dear = await place(at, { nightlyPrice: 20_000 });
    expect(await idsOf({ ...near(at), priceMin: 5_000, priceMax: 10_000 }, "PRICE_ASC")).toEqual(
      gids([cheap, mid]),
    );
    expect(await idsOf({ ...near(at), priceMin: 10_001 }, "PRICE_ASC")).toEqual(gids([dear]));
    expect(await idsOf({ ...near(at) }, "PRICE_DESC")).toEqual(gids([dear, mid, cheap]));
  });

  it("with dates: the stay total, which can order differently from the nightly price", async () => {
    const at = area();
    // Cheaper per night but a large cleaning fee; dearer per night with none.
    const feeHeavy = await place(at, {
      nightlyPrice: 8_000,
      cleaningFee: 20_000,
    });
    const plain = await place(at, { nightlyPrice: 10_000, cleaningFee: 0 });
    const discounted = await place(at, {
      nightlyPrice: 30_000,
      cleaningFee: 0,
    });
    await t.app.db.nightPrice.create({
      data: { listingId: discounted.id, night: day(CHECK_IN), amount: 100 },
    });
    const totalOf = async (listing: Listing) =>
      (
        await t.client.ok(QuoteDocument, {
          input: { listingId: gid(listing), ...stayDates, guests: 1 },
        })
      ).quote.total.amount;
    const [feeTotal, plainTotal, discountedTotal] = [
      await totalOf(feeHeavy),
      await totalOf(plain),
      await totalOf(discounted),
    ];
    expect(plainTotal).toBeLessThan(feeTotal);

    expect(await idsOf({ ...near(at) }, "PRICE_ASC")).toEqual(gids([feeHeavy, plain, discounted]));
    const byTotal = [
      [feeHeavy, feeTotal],
      [plain, plainTotal],
      [discounted, discountedTotal],
    ] as const;
    const ascending = [...byTotal].sort((a, b) => a[1] - b[1]).map(([listing]) => listing);
    expect(await idsOf({ ...near(at), ...stayDates }, "PRICE_ASC")).toEqual(gids(ascending));
    expect(await idsOf({ ...near(at), ...stayDates }, "PRICE_DESC")).toEqual(gids([...ascending].reverse()));

    // Per night feeHeavy is the cheapest; for the stay its cleaning fee puts it over plain's total.
    expect(await idsOf({ ...near(at), priceMax: 10_000 }, "PRICE_ASC")).toEqual(gids([feeHeavy, plain]));
    expect(await idsOf({ ...near(at), ...stayDates, priceMax: plainTotal }, "PRICE_ASC")).toEqual(
      gids([plain]),
    );
    const filtered = await search(
      { ...near(at), ...stayDates, priceMin: plainTotal, priceMax: plainTotal },
      "RELEVANCE",
    );
    expect(filtered.edges.map((e) => e.node.id)).toEqual([gid(plain)]);
    expect(filtered.totalCount).toBe(1);
  });
});

describe("each listing's own today", () => {
  it("offers a stay from a listing's local today iff quote accepts it, at UTC+14 and UTC−10", async () => {
    const at = area();
    const kiritimati = await place(at, { timeZone: "Pacific/Kiritimati" });
    const honolulu = await place(offset(at, 1), { timeZone: "Pacific/Honolulu" });
    const both = gids([kiritimati, honolulu]).sort();

    /** The ids search offers for three nights from checkIn, checked against quote for each listing. */
    const offered = async (checkIn: string): Promise<string[]> => {
      const from = parseCalendarDate(checkIn);
      if (!from) throw new Error(checkIn);
      const stay = { checkIn, checkOut: formatCalendarDate(addDays(from, 3)) };
      const ids = (await idsOf({ ...near(at), ...stay })).sort();
      for (const listing of [kiritimati, honolulu]) {
        const quoted = await t.client.request(QuoteDocument, {
          input: { listingId: gid(listing), ...stay, guests: 1 },
        });
        const accepted = quoted.errors === undefined;
        expect(
          ids.includes(gid(listing)),
          `${listing.timeZone} from ${checkIn} at ${clock.now().toISOString()}`,
        ).toBe(accepted);
      }
      return ids;
    };

    try {
      // 12:00 UTC on 1 March: Kiritimati is already on 2 March, Honolulu on 1 March.
      clock.set(new Date("2027-03-01T12:00:00Z"));
      expect(await offered("2027-03-01")).toEqual(gids([honolulu]));
      expect(await offered("2027-03-02")).toEqual(both);
      // 05:00 UTC on 1 March: Honolulu is still on 28 February, Kiritimati on 1 March.
      clock.set(new Date("2027-03-01T05:00:00Z"));
      expect(await offered("2027-02-28")).toEqual(gids([honolulu]));
      expect(await offered("2027-03-01")).toEqual(both);
      // The same search a minute apart, across midnight on Kiritimati (10:00 UTC): no stale page.
      clock.set(new Date("2027-03-01T09:59:00Z"));
      expect(await offered("2027-03-01")).toEqual(both);
      clock.set(new Date("2027-03-01T10:00:00Z"));
      expect(await offered("2027-03-01")).toEqual(gids([honolulu]));
    } finally {
      clock.set(new Date("2027-03-01T12:00:00Z"));
    }
  });
});

describe("stays whose total Money.amount cannot carry", () => {
  // 365 nights; 10,000,000 a night was once the maximum in every currency and is within VND's.
  const year = { checkIn: "2027-04-01", checkOut: "2028-03-31" };

  it("a priced search leaves such a listing out and serves everyone else's page", async () => {
    const at = area();
    const cheap = await place(at);
    const dear = await place(offset(at, 1), {
      currency: "VND",
      nightlyPrice: 10_000_000,
      cleaningFee: 10_000_000,
    });
    for (const filter of [{ ...year }, { ...near(at), ...year }]) {
      const result = await t.client.request(SearchListingPinsDocument, {
        filter,
        sort: "PRICE_DESC",
        first: 100,
      });
      expect(result.status, JSON.stringify(result.errors)).toBe(200);
      expect(result.errors).toBeUndefined();
      const ids = result.data?.searchListings.edges.map((edge) => edge.node.id) ?? [];
      expect(ids).toContain(gid(cheap));
      expect(ids).not.toContain(gid(dear));
    }
    const priced = await search({ ...near(at), ...year, priceMin: 0 }, "RELEVANCE");
    expect(priced.edges.map((edge) => edge.node.id)).toEqual(gids([cheap]));
    expect(priced.totalCount).toBe(1);
  });

  it("an unpriced dates search keeps it with no stayTotal, as quote refuses the stay", async () => {
    const at = area();
    const cheap = await place(at);
    const dear = await place(offset(at, 1), {
      currency: "VND",
      nightlyPrice: 10_000_000,
      cleaningFee: 10_000_000,
    });
    const page = await search({ ...near(at), ...year }, "NEWEST");
    expect(page.edges.map((edge) => [edge.node.id, edge.node.stayTotal?.currency ?? null])).toEqual([
      [gid(dear), null],
      [gid(cheap), "EUR"],
    ]);
    const quoted = await t.client.request(QuoteDocument, {
      input: { listingId: gid(dear), ...year, guests: 1 },
    });
    expect(codeOf(quoted)).toBe("BAD_USER_INPUT");
  });
});

describe("listing attributes", () => {
  it("amenities: must have all of them", async () => {
    const at = area();
    const both = await place(at);
    const wifiOnly = await place(at);
    await place(at);
    await t.app.db.listingAmenity.createMany({
      data: [
        { listingId: both.id, amenityCode: "wifi" },
        { listingId: both.id, amenityCode: "pool" },
        { listingId: both.id, amenityCode: "kitchen" },
        { listingId: wifiOnly.id, amenityCode: "wifi" },
      ],
    });
    expect(new Set(await idsOf({ ...near(at), amenityCodes: ["wifi"] }))).toEqual(
      new Set(gids([both, wifiOnly])),
    );
    expect(await idsOf({ ...near(at), amenityCodes: ["pool", "wifi", "wifi"] })).toEqual(gids([both]));
    expect(await idsOf({ ...near(at), amenityCodes: ["pool", "gym"] })).toEqual([]);
  });

  it("property and room types, instant book, bedrooms, guests", async () => {
    const at = area();
    const cabin = await place(at, {
      propertyType: "CABIN",
      roomType: "ENTIRE_PLACE",
      bedrooms: 3,
      maxGuests: 6,
      instantBook: true,
    });
    const villa = await place(at, {
      propertyType: "VILLA",
      roomType: "PRIVATE_ROOM",
      bedrooms: 5,
      maxGuests: 10,
    });
    const flat = await place(at, {
      propertyType: "APARTMENT",
      roomType: "SHARED_ROOM",
      bedrooms: 1,
      maxGuests: 2,
      instantBook: true,
    });
    const all = (filter: ListingSearchInput) =>
      idsOf({ ...near(at), ...filter }, "NEWEST").then((ids) => new Set(ids));

    expect(await all({ propertyTypes: ["CABIN", "VILLA"] })).toEqual(new Set(gids([cabin, villa])));
    expect(await all({ roomTypes: ["SHARED_ROOM"] })).toEqual(new Set(gids([flat])));
    expect(await all({ instantBook: true })).toEqual(new Set(gids([cabin, flat])));
    expect(await all({ instantBook: false })).toEqual(new Set(gids([villa])));
    expect(await all({ minBedrooms: 3 })).toEqual(new Set(gids([cabin, villa])));
    expect(await all({ guests: 6 })).toEqual(new Set(gids([cabin, villa])));
    expect(await all({ guests: 7, propertyTypes: ["CABIN"] })).toEqual(new Set());
  });

  it("only LISTED listings", async () => {
    const at = area();
    const listed = await place(at);
    for (const status of ["DRAFT", "UNLISTED", "SUSPENDED"] as const) await place(at, { status });
    const result = await search({ ...near(at) });
    expect(result.edges.map((e) => e.node.id)).toEqual([gid(listed)]);
    expect(result.totalCount).toBe(1);
  });
});

describe("sorts", () => {
  it("RATING: average, then count; unrated last. RELEVANCE weighs the count. NEWEST by creation", async () => {
    const at = area();
    const created = (days: number) => addDays(new Date("2026-06-01T00:00:00Z"), days);
    const onePerfect = await place(at, {
      ratingAverage: 5,
      ratingCount: 1,
      createdAt: created(1),
    });
    const manyGood = await place(at, {
      ratingAverage: 4.8,
      ratingCount: 40,
      createdAt: created(2),
    });
    const fewGood = await place(at, {
      ratingAverage: 4.8,
      ratingCount: 3,
      createdAt: created(3),
    });
    const poor = await place(at, {
      ratingAverage: 3.1,
      ratingCount: 12,
      createdAt: created(4),
    });
    const unrated = await place(at, { createdAt: created(5) });

    expect(await idsOf({ ...near(at) }, "RATING")).toEqual(
      gids([onePerfect, manyGood, fewGood, poor, unrated]),
    );
    // Bayesian: 40 × 4.8 ≈ 4.72 > 3 × 4.8 = 4.4 > 1 × 5 = 4.25 > new (4.0, the prior) > 12 × 3.1 ≈ 3.28.
    expect(await idsOf({ ...near(at) }, "RELEVANCE")).toEqual(
      gids([manyGood, fewGood, onePerfect, unrated, poor]),
    );
    expect(await idsOf({ ...near(at) })).toEqual(await idsOf({ ...near(at) }, "RELEVANCE"));
    expect(await idsOf({ ...near(at) }, "NEWEST")).toEqual(
      gids([unrated, poor, fewGood, manyGood, onePerfect]),
    );
  });
});

describe("stored search keys follow the listing", () => {
  it("a new rating moves it in RELEVANCE; a new location moves it between radius searches", async () => {
    const [at, elsewhere] = [area(), area()];
    const a = await place(at, { ratingAverage: 4.5, ratingCount: 10 });
    const b = await place(at, { ratingAverage: 4.2, ratingCount: 10 });
    expect(await idsOf(near(at), "RELEVANCE")).toEqual(gids([a, b]));

    // As the reviews module writes a recount (relevance_score is PostgreSQL's to compute).
    await t.app.db
      .$executeRaw`UPDATE listings SET rating_average = 5, rating_count = 40 WHERE id = ${b.id}::uuid`;
    await t.app.cache.invalidate(listingCacheTags.search);
    expect(await idsOf(near(at), "RELEVANCE")).toEqual(gids([b, a]));

    // The host moves it through the API (which invalidates search pages itself).
    await host.client.ok(UpdateListingDocument, {
      input: { listingId: gid(a), location: { lat: elsewhere.lat, lng: elsewhere.lng } },
    });
    expect(await idsOf(near(at))).toEqual(gids([b]));
    expect(await idsOf(near(elsewhere), "DISTANCE")).toEqual(gids([a]));
  });
});

describe("pagination", () => {
  let at: Spot;
  beforeAll(async () => {
    at = area();
    // Ties on purpose: equal prices, ratings, creation instants and distances, so only the id breaks them.
    const createdAt = new Date("2026-09-01T10:00:00.123Z");
    for (let i = 0; i < 13; i++) {
      const listing = await place(i % 4 === 0 ? at : offset(at, (i % 3) * 2, (i % 5) - 2), {
        nightlyPrice: [8_000, 9_500, 9_500, 12_000][i % 4],
        cleaningFee: [0, 2_500, 5_000][i % 3],
        weeklyDiscountPct: i % 2 === 0 ? 10 : 0,
        ratingAverage: i % 3 === 0 ? null : [4.5, 4.9][i % 2],
        ratingCount: i % 3 === 0 ? 0 : 5 + (i % 2),
        createdAt: i % 5 === 0 ? createdAt : new Date(createdAt.getTime() + i * 1000),
      });
      if (i % 4 === 1) {
        await t.app.db.nightPrice.create({
          data: {
            listingId: listing.id,
            night: day("2027-03-11"),
            amount: 50_000,
          },
        });
      }
    }
  });

  const sorts: ListingSort[] = ["RELEVANCE", "PRICE_ASC", "PRICE_DESC", "RATING", "DISTANCE", "NEWEST"];
  it.each(sorts.flatMap((sort) => [[sort, false] as const, [sort, true] as const]))(
    "%s (dates: %s): pages of 1, 2, 5 and 13 concatenate to the full list, no duplicates or gaps",
    async (sort, withDates) => {
      const filter = {
        ...near(at),
        ...(withDates ? { checkIn: "2027-03-10", checkOut: "2027-03-17" } : {}),
      };
      const full = await idsOf(filter, sort);
      expect(full).toHaveLength(13);
      expect(new Set(full).size).toBe(13);
      for (const size of [1, 2, 5, 13]) expect(await walk(filter, sort, size)).toEqual(full);
    },
  );

  it("first: 0 tells the total and whether there is a page", async () => {
    const page: SearchListingPinsQuery["searchListings"] = (
      await t.client.ok(SearchListingPinsDocument, {
        filter: near(at),
        first: 0,
      })
    ).searchListings;
    expect(page).toMatchObject({
      totalCount: 13,
      totalCountIsExact: true,
      edges: [],
      pageInfo: { hasNextPage: true },
    });
  });

  it("first defaults to 20 and is refused above 100 or below 0", async () => {
    const defaults = (await t.client.ok(SearchListingPinsDocument, {})).searchListings;
    expect(defaults.edges.length).toBe(Math.min(20, defaults.totalCount));
    for (const first of [101, -1]) {
      const result = await t.client.request(SearchListingPinsDocument, {
        filter: near(at),
        first,
      });
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(fieldsOf(result)).toEqual([{ path: "first", message: "must be between 0 and 100" }]);
    }
  });

  it("a cursor only continues its own search", async () => {
    const page: SearchListingPinsQuery["searchListings"] = (
      await t.client.ok(SearchListingPinsDocument, {
        filter: near(at),
        sort: "NEWEST",
        first: 2,
      })
    ).searchListings;
    const result = await t.client.request(SearchListingPinsDocument, {
      filter: near(at),
      sort: "PRICE_ASC",
      first: 2,
      after: page.pageInfo.endCursor,
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)[0]?.path).toBe("after");
  });
});

describe("more matches than totalCount counts", () => {
  const MATCHES = 1_001;
  let at: Spot;
  const filterOf = (withDates: boolean): ListingSearchInput => ({
    ...near(at, 10),
    ...(withDates ? stayDates : {}),
  });
  const insert = (sql: Prisma.Sql) => t.app.db.$executeRaw(sql);

  beforeAll(async () => {
    at = area();
    const [dear, cheap] = [area(), area()];
    // 1,001 matches with ties in every key (prices, ratings, creation instants, positions).
    await insert(Prisma.sql`
      INSERT INTO listings (host_id, title, property_type, room_type, status, address_line1, city, country,
                            lat, lng, max_guests, currency, nightly_price, cleaning_fee, weekly_discount_pct,
                            rating_average, rating_count, created_at)
      SELECT ${host.id}::uuid, 'Capped ' || g, 'APARTMENT', 'ENTIRE_PLACE', 'LISTED', '1 Cap Street', 'Capville', 'PT',
             ${at.lat}::float8 + (g % 40) / 1000.0, ${at.lng}::float8 + (g % 23) / 1000.0, 4, 'EUR',
             5000 + (g % 37) * 100, (g % 3) * 1000, (g % 2) * 10,
             CASE WHEN g % 4 = 0 THEN NULL ELSE 3 + (g % 5) / 2.0 END, CASE WHEN g % 4 = 0 THEN 0 ELSE g % 7 END,
             timestamptz '2020-01-01 00:00:00Z' + (g % 97) * interval '1 minute'
      FROM generate_series(1, ${MATCHES}::int) AS g`);
    // Elsewhere, 120 listings ahead of every match in each walkable order (dearer, better rated,
    // newer) and 120 cheaper: a page of 1 walks only 100 listings, so its first page must fall
    // back to sorting the matches; later pages start at the cursor and walk.
    for (const [spot, price, rating] of [
      [dear, 90_000, 5],
      [cheap, 150, 1],
    ] as const) {
      await insert(Prisma.sql`
        INSERT INTO listings (host_id, title, property_type, room_type, status, address_line1, city, country,
                              lat, lng, max_guests, currency, nightly_price, rating_average, rating_count, created_at)
        SELECT ${host.id}::uuid, 'Ahead ' || g, 'APARTMENT', 'ENTIRE_PLACE', 'LISTED', '1 Far Street', 'Farville', 'PT',
               ${spot.lat}::float8, ${spot.lng}::float8, 4, 'EUR', ${price}::int, ${rating}::float8, 100,
               timestamptz '2026-01-01 00:00:00Z' + g * interval '1 minute'
        FROM generate_series(1, 120) AS g`);
    }
  });

  /** The matches in each sort's order, computed from the listings' own columns (not the stored keys). */
  async function expectedOrder(sort: ListingSort, withDates: boolean): Promise<string[]> {
    const order: Record<ListingSort, Prisma.Sql> = {
      RELEVANCE: Prisma.sql`round((rating_count * coalesce(rating_average, 0) + 12::float8) / (rating_count + 3) * 1000) DESC, created_at DESC, id DESC`,
      NEWEST: Prisma.sql`created_at DESC, id DESC`,
      RATING: Prisma.sql`coalesce(rating_average, 0) DESC, rating_count DESC, id DESC`,
      PRICE_ASC: Prisma.sql`nightly_price, id`,
      PRICE_DESC: Prisma.sql`nightly_price DESC, id DESC`,
      DISTANCE: Prisma.sql`round(earth_distance(ll_to_earth(${at.lat}::float8, ${at.lng}::float8), ll_to_earth(lat, lng))), id`,
    };
    const rows = await t.app.db.$queryRaw<Listing[]>(Prisma.sql`
      SELECT id, currency, nightly_price AS "nightlyPrice", cleaning_fee AS "cleaningFee",
             weekly_discount_pct AS "weeklyDiscountPct", monthly_discount_pct AS "monthlyDiscountPct"
      FROM listings WHERE title LIKE 'Capped %' AND status = 'LISTED' ORDER BY ${order[sort]}`);
    if (withDates && (sort === "PRICE_ASC" || sort === "PRICE_DESC")) {
      // Ordered by the quote's total, then id, in the sort's direction.
      const total = (listing: Listing) =>
        quoteListingStay(listing, day(CHECK_IN), day(CHECK_OUT), new Map(), t.app.config.pricing).total;
      const sign = sort === "PRICE_ASC" ? 1 : -1;
      rows.sort((a, b) => sign * (total(a) - total(b) || (a.id < b.id ? -1 : 1)));
    }
    return gids(rows);
  }

  /** The first `pages` pages of `size` (all pages when omitted), checking the capped total on each. */
  async function pagesOf(filter: ListingSearchInput, sort: ListingSort, size: number, pages = 100) {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < pages; page++) {
      const result: SearchListingPinsQuery["searchListings"] = (
        await t.client.ok(SearchListingPinsDocument, { filter, sort, first: size, after })
      ).searchListings;
      expect([result.totalCount, result.totalCountIsExact]).toEqual([1_000, false]);
      seen.push(...result.edges.map((edge) => edge.node.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    return seen;
  }

  const sorts: ListingSort[] = ["RELEVANCE", "PRICE_ASC", "PRICE_DESC", "RATING", "DISTANCE", "NEWEST"];
  it.each(sorts.flatMap((sort) => [[sort, false] as const, [sort, true] as const]))(
    "%s (dates: %s): totalCount 1000, not exact; pages of 1 and 100 walk every match in order, no duplicates or gaps",
    async (sort, withDates) => {
      const expected = await expectedOrder(sort, withDates);
      expect(expected).toHaveLength(MATCHES);
      const filter = filterOf(withDates);
      expect(await pagesOf(filter, sort, 1, 3)).toEqual(expected.slice(0, 3));
      const all = await pagesOf(filter, sort, 100);
      expect(new Set(all).size).toBe(MATCHES);
      expect(all).toEqual(expected);
    },
  );

  it("at 1,000 matches the total is exact, and the counted matches page in order", async () => {
    await t.app.db.$executeRaw`
      UPDATE listings SET status = 'UNLISTED' WHERE id = (SELECT id FROM listings WHERE title = 'Capped 1')`;
    await t.app.cache.invalidate(listingCacheTags.search);
    const page = await search(filterOf(false), "NEWEST", 10);
    expect([page.totalCount, page.totalCountIsExact]).toEqual([1_000, true]);
    expect(await walk(filterOf(false), "NEWEST", 100)).toEqual(await expectedOrder("NEWEST", false));
  });
});

describe("validation", () => {
  it.each<[string, ListingSearchInput, ListingSort | undefined, string[]]>([
    ["DISTANCE without near", { bounds: { north: 1, south: 0, east: 1, west: 0 } }, "DISTANCE", ["sort"]],
    ["unknown amenity", { amenityCodes: ["wifi", "moat"] }, undefined, ["filter.amenityCodes.1"]],
    ["a past check-in", { checkIn: "2027-02-28", checkOut: "2027-03-02" }, undefined, ["filter.checkIn"]],
    ["check-in alone", { checkIn: "2027-03-10" }, undefined, ["filter.checkOut"]],
    ["a 366-night stay", { checkIn: "2027-03-10", checkOut: "2028-03-10" }, undefined, ["filter.checkOut"]],
    [
      "a 0 km radius and bad lat",
      { near: { lat: -91, lng: 0, radiusKm: 0 } },
      undefined,
      ["filter.near.lat", "filter.near.radiusKm"],
    ],
    ["inverted price range", { priceMin: 10, priceMax: 5 }, undefined, ["filter.priceMax"]],
    ["101 guests", { guests: 101 }, undefined, ["filter.guests"]],
  ])("%s → BAD_USER_INPUT", async (_name, filter, sort, paths) => {
    const result = await t.client.request(SearchListingPinsDocument, {
      filter,
      sort,
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result).map((field) => field.path)).toEqual(paths);
  });

  it("an impossible date is refused by the Date scalar", async () => {
    const result = await t.client.request(SearchListingPinsDocument, {
      filter: { checkIn: "2027-02-30", checkOut: "2027-03-02" },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
  });
});

describe("the search cache", () => {
  it("serves a repeated search from the cache until the search namespace is invalidated", async () => {
    const at = area();
    const first = await place(at, { nightlyPrice: 10_000 });
    const query = { ...near(at), priceMax: 15_000 };
    expect(await idsOf(query, "PRICE_ASC")).toEqual(gids([first]));

    // Changed behind the API's back (no invalidation): the cached page still answers.
    const second = await place(at, { nightlyPrice: 9_000 });
    await t.app.db.listing.update({
      where: { id: first.id },
      data: { nightlyPrice: 14_000 },
    });
    const cached = await search(query, "PRICE_ASC");
    expect(cached.edges.map((e) => e.node.id)).toEqual(gids([first]));
    expect(cached.totalCount).toBe(1);
    // Only ids are cached: the listing itself is read fresh.
    expect(cached.edges[0]?.node.nightlyPrice.amount).toBe(14_000);

    await t.app.cache.invalidate(listingCacheTags.search);
    const fresh = await search(query, "PRICE_ASC");
    expect(fresh.edges.map((e) => e.node.id)).toEqual(gids([second, first]));
    expect(fresh.totalCount).toBe(2);
  });

  it("a listing unlisted since its page was cached drops out of the page", async () => {
    const at = area();
    const [a, b] = [await place(at), await place(at)];
    expect(new Set(await idsOf({ ...near(at) }))).toEqual(new Set(gids([a, b])));
    await t.app.db.listing.update({
      where: { id: a.id },
      data: { status: "UNLISTED" },
    });
    expect(await idsOf({ ...near(at) })).toEqual(gids([b]));
  });

  it("stay totals survive the cache's JSON round trip", async () => {
    const at = area();
    await place(at, { nightlyPrice: 11_111 });
    const filter = { ...near(at), ...stayDates };
    const once = await search(filter, "PRICE_ASC");
    const twice = await search(filter, "PRICE_ASC");
    expect(twice).toEqual(once);
    expect(twice.edges[0]?.node.stayTotal?.amount).toBeGreaterThan(3 * 11_111);
  });
});

describe("the full search operation", () => {
  it("returns host, photos, amenities, rating and the newest published reviews with authors", async () => {
    const at = area();
    const listing = await factories(t)
      .listing(host)
      .listed()
      .photos(2)
      .with({ lat: at.lat, lng: at.lng, ratingAverage: 4.5, ratingCount: 2 })
      .create();
    await t.app.db.listingAmenity.create({
      data: { listingId: listing.id, amenityCode: "wifi" },
    });
    for (const [rating, publishedAt] of [
      [4, new Date("2027-01-01T00:00:00Z")],
      [5, new Date("2027-02-01T00:00:00Z")],
    ] as const) {
      const booking = await insertBookingRow(t, {
        listing,
        guest,
        checkIn: "2026-12-01",
        checkOut: "2026-12-03",
        status: "COMPLETED",
      });
      await t.app.db.review.create({
        data: {
          bookingId: booking.id,
          listingId: listing.id,
          authorId: guest.id,
          subjectId: host.id,
          direction: "GUEST_TO_HOST",
          rating,
          comment: "Lovely",
          publishedAt,
        },
      });
    }
    const result = await t.client.ok(SearchListingsDocument, {
      filter: { ...near(at), ...stayDates },
    });
    const node = result.searchListings.edges[0]?.node;
    expect(node).toMatchObject({
      id: gid(listing),
      nightlyPrice: { amount: 10_000, currency: "EUR", formatted: "€100.00" },
      stayTotal: { currency: "EUR" },
      rating: { average: 4.5, count: 2 },
      host: { id: host.globalId, firstName: "Hana" },
      amenities: [{ code: "wifi" }],
    });
    expect(node?.photos).toHaveLength(2);
    expect(node?.reviews.edges.map((e) => [e.node.rating, e.node.author.firstName])).toEqual([
      [5, "Gus"],
      [4, "Gus"],
    ]);
  });
});
