// The pure search-argument rules: what is refused (with which field paths) and how filters normalize.
import { describe, expect, it } from "vitest";
import { hashOf } from "../../../src/infra/cache.ts";
import { encodeCursor } from "../../../src/modules/search/cursor.ts";
import {
  needsStayTotals,
  parseSearchArgs,
  type SearchArgs,
  type SearchRequest,
  searchFingerprint,
} from "../../../src/modules/search/filters.ts";

// 12:00 UTC: 1 March from UTC−12 to UTC+11, already 2 March from UTC+12 (Kiritimati is +14).
const env = {
  now: new Date("2027-03-01T12:00:00Z"),
  knownAmenityCodes: new Set(["wifi", "pool", "kitchen"]),
};
const ID = "0b3c9a4e-8f1d-4c2b-9a7e-1d2c3b4a5f60";

function parsed(args: SearchArgs): SearchRequest {
  const result = parseSearchArgs(args, env);
  if (!result.ok) throw new Error(`expected valid: ${JSON.stringify(result.fields)}`);
  return result.request;
}

function refused(args: SearchArgs) {
  const result = parseSearchArgs(args, env);
  if (result.ok) throw new Error("expected refusal");
  return result.fields;
}

describe("parseSearchArgs refuses", () => {
  it.each<[string, SearchArgs, Array<{ path: string; message: string }>]>([
    [
      "lat out of range",
      { filter: { near: { lat: 91, lng: 0, radiusKm: 5 } } },
      [{ path: "filter.near.lat", message: "must be between -90 and 90" }],
    ],
    [
      "lng out of range",
      { filter: { near: { lat: 0, lng: -180.5, radiusKm: 5 } } },
      [{ path: "filter.near.lng", message: "must be between -180 and 180" }],
    ],
    [
      "a zero radius",
      { filter: { near: { lat: 0, lng: 0, radiusKm: 0 } } },
      [
        {
          path: "filter.near.radiusKm",
          message: "must be greater than 0 and at most 500",
        },
      ],
    ],
    [
      "a radius over 500 km",
      { filter: { near: { lat: 0, lng: 0, radiusKm: 500.1 } } },
      [
        {
          path: "filter.near.radiusKm",
          message: "must be greater than 0 and at most 500",
        },
      ],
    ],
    [
      "north south of south",
      { filter: { bounds: { north: 10, south: 20, east: 5, west: 0 } } },
      [{ path: "filter.bounds.north", message: "must not be south of south" }],
    ],
    [
      "bounds out of range",
      { filter: { bounds: { north: 95, south: -95, east: 181, west: -181 } } },
      [
        { path: "filter.bounds.north", message: "must be between -90 and 90" },
        { path: "filter.bounds.south", message: "must be between -90 and 90" },
        { path: "filter.bounds.east", message: "must be between -180 and 180" },
        { path: "filter.bounds.west", message: "must be between -180 and 180" },
      ],
    ],
    [
      "checkIn without checkOut",
      { filter: { checkIn: "2027-03-10" } },
      [{ path: "filter.checkOut", message: "must be given with checkIn" }],
    ],
    [
      "checkOut without checkIn",
      { filter: { checkOut: "2027-03-10" } },
      [{ path: "filter.checkIn", message: "must be given with checkOut" }],
    ],
    [
      "checkOut on checkIn",
      { filter: { checkIn: "2027-03-10", checkOut: "2027-03-10" } },
      [{ path: "filter.checkOut", message: "must be after checkIn" }],
    ],
    [
      "checkOut before checkIn",
      { filter: { checkIn: "2027-03-10", checkOut: "2027-03-09" } },
      [{ path: "filter.checkOut", message: "must be after checkIn" }],
    ],
    [
      "a checkIn in the past",
      { filter: { checkIn: "2027-02-28", checkOut: "2027-03-03" } },
      [{ path: "filter.checkIn", message: "must not be in the past" }],
    ],
    [
      "a stay over 365 nights",
      { filter: { checkIn: "2027-03-10", checkOut: "2028-03-10" } },
      [
        {
          path: "filter.checkOut",
          message: "must be at most 365 nights after checkIn",
        },
      ],
    ],
    [
      "an impossible date",
      { filter: { checkIn: "2027-02-30", checkOut: "2027-03-03" } },
      [
        {
          path: "filter.checkIn",
          message: "must be a date formatted YYYY-MM-DD",
        },
      ],
    ],
    [
      "zero guests",
      { filter: { guests: 0 } },
      [{ path: "filter.guests", message: "must be between 1 and 50" }],
    ],
    [
      "51 guests",
      { filter: { guests: 51 } },
      [{ path: "filter.guests", message: "must be between 1 and 50" }],
    ],
    [
      "a negative priceMin",
      { filter: { priceMin: -1 } },
      [{ path: "filter.priceMin", message: "must not be negative" }],
    ],
    [
      "priceMin over priceMax",
      { filter: { priceMin: 200, priceMax: 100 } },
      [{ path: "filter.priceMax", message: "must not be less than priceMin" }],
    ],
    [
      "unknown amenity codes, each by index",
      { filter: { amenityCodes: ["wifi", "moat", "pool", "drawbridge"] } },
      [
        {
          path: "filter.amenityCodes.1",
          message: 'unknown amenity code "moat"',
        },
        {
          path: "filter.amenityCodes.3",
          message: 'unknown amenity code "drawbridge"',
        },
      ],
    ],
    [
      "negative minBedrooms",
      { filter: { minBedrooms: -1 } },
      [{ path: "filter.minBedrooms", message: "must not be negative" }],
    ],
    [
      "DISTANCE without near",
      {
        sort: "DISTANCE",
        filter: { bounds: { north: 1, south: 0, east: 1, west: 0 } },
      },
      [{ path: "sort", message: "DISTANCE needs filter.near" }],
    ],
    ["first over 100", { first: 101 }, [{ path: "first", message: "must be between 0 and 100" }]],
    ["a negative first", { first: -1 }, [{ path: "first", message: "must be between 0 and 100" }]],
    [
      "a malformed cursor",
      { after: "not-a-cursor" },
      [
        {
          path: "after",
          message: "is not a cursor of this search (same filter and sort)",
        },
      ],
    ],
  ])("%s", (_name, args, fields) => {
    expect(refused(args)).toEqual(fields);
  });

  it("every bad field at once", () => {
    const fields = refused({
      filter: {
        near: { lat: 100, lng: 0, radiusKm: 0 },
        guests: 0,
        priceMin: -5,
      },
      first: 500,
    });
    expect(fields.map((field) => field.path)).toEqual([
      "filter.near.lat",
      "filter.near.radiusKm",
      "filter.guests",
      "filter.priceMin",
      "first",
    ]);
  });

  it("a cursor of another search (other filter or sort)", () => {
    const request = parsed({ filter: { guests: 2 }, sort: "NEWEST" });
    const cursor = encodeCursor(request.fingerprint, { keys: [-1], id: ID });
    expect(parsed({ filter: { guests: 2 }, sort: "NEWEST", after: cursor }).after).toEqual({
      keys: [-1],
      id: ID,
    });
    expect(refused({ filter: { guests: 3 }, sort: "NEWEST", after: cursor })).toEqual([
      {
        path: "after",
        message: "is not a cursor of this search (same filter and sort)",
      },
    ]);
    expect(refused({ filter: { guests: 2 }, sort: "PRICE_ASC", after: cursor })[0]?.path).toBe("after");
  });

  it("a cursor with the wrong number of keys, keys of the wrong kinds or a bad id", () => {
    const { fingerprint } = parsed({ sort: "RELEVANCE" });
    for (const position of [
      { keys: [1], id: ID },
      { keys: [1, 2, 3], id: ID },
      { keys: [1, 2], id: "not-a-uuid" },
      // RELEVANCE is an INTEGER score and an instant in whole milliseconds.
      { keys: [1.5, 2], id: ID },
      { keys: [2 ** 31, 2], id: ID },
      { keys: [1, 2.5], id: ID },
      { keys: [1, 9e15], id: ID },
    ]) {
      expect(refused({ after: encodeCursor(fingerprint, position) })[0]?.path).toBe("after");
    }
    expect(
      parsed({ after: encodeCursor(fingerprint, { keys: [4000, 1767225600123], id: ID }) }).after,
    ).toEqual({
      keys: [4000, 1767225600123],
      id: ID,
    });
  });

  it("a cursor of the previous keyset (negated keys, ascending id) is refused, not misread", () => {
    const request = parsed({ filter: { guests: 2 }, sort: "NEWEST" });
    const before = hashOf({ filter: request.filter, sort: request.sort });
    expect(
      refused({ filter: { guests: 2 }, sort: "NEWEST", after: encodeCursor(before, { keys: [-1], id: ID }) }),
    ).toEqual([{ path: "after", message: "is not a cursor of this search (same filter and sort)" }]);
  });
});

describe("parseSearchArgs accepts and normalizes", () => {
  it("defaults: RELEVANCE, 20 per page, no filters", () => {
    expect(parsed({})).toMatchObject({
      sort: "RELEVANCE",
      first: 20,
      after: null,
      filter: {
        near: null,
        bounds: null,
        stay: null,
        guests: null,
        priceMin: null,
        priceMax: null,
        amenityCodes: [],
        propertyTypes: [],
        roomTypes: [],
        instantBook: null,
        minBedrooms: null,
      },
    });
  });

  it.each<[string, SearchArgs, Partial<SearchRequest["filter"]>]>([
    [
      "radius in metres",
      { filter: { near: { lat: 38.7, lng: -9.1, radiusKm: 2.5 } } },
      {
        near: { lat: 38.7, lng: -9.1, radiusMeters: 2_500 },
      },
    ],
    [
      "a 500 km radius (the limit)",
      { filter: { near: { lat: 0, lng: 0, radiusKm: 500 } } },
      {
        near: { lat: 0, lng: 0, radiusMeters: 500_000 },
      },
    ],
    [
      "an antimeridian box",
      { filter: { bounds: { north: 10, south: -10, east: -170, west: 170 } } },
      {
        bounds: { north: 10, south: -10, east: -170, west: 170 },
      },
    ],
    [
      "a stay, with its nights",
      { filter: { checkIn: "2027-03-01", checkOut: "2027-03-04" } },
      {
        stay: { checkIn: "2027-03-01", checkOut: "2027-03-04", nights: 3 },
      },
    ],
    [
      "a 365-night stay (the limit)",
      { filter: { checkIn: "2027-03-01", checkOut: "2028-02-29" } },
      {
        stay: { checkIn: "2027-03-01", checkOut: "2028-02-29", nights: 365 },
      },
    ],
    [
      "sets sorted and distinct",
      {
        filter: {
          amenityCodes: ["wifi", "pool", "wifi"],
          propertyTypes: ["VILLA", "CABIN"],
          roomTypes: ["SHARED_ROOM"],
        },
      },
      {
        amenityCodes: ["pool", "wifi"],
        propertyTypes: ["CABIN", "VILLA"],
        roomTypes: ["SHARED_ROOM"],
      },
    ],
    [
      "empty lists as no filter",
      { filter: { amenityCodes: [], propertyTypes: [] } },
      {
        amenityCodes: [],
        propertyTypes: [],
      },
    ],
    ["an equal price range", { filter: { priceMin: 100, priceMax: 100 } }, { priceMin: 100, priceMax: 100 }],
    ["instantBook false as a filter", { filter: { instantBook: false } }, { instantBook: false }],
    ["guests and bedrooms", { filter: { guests: 50, minBedrooms: 0 } }, { guests: 50, minBedrooms: 0 }],
  ])("%s", (_name, args, filter) => {
    expect(parsed(args).filter).toMatchObject(filter);
  });

  it("first 0 and 100", () => {
    expect(parsed({ first: 0 }).first).toBe(0);
    expect(parsed({ first: 100 }).first).toBe(100);
  });

  it("DISTANCE with near", () => {
    expect(
      parsed({
        sort: "DISTANCE",
        filter: { near: { lat: 0, lng: 0, radiusKm: 1 } },
      }).sort,
    ).toBe("DISTANCE");
  });

  it("the same search in another spelling has the same fingerprint", () => {
    const a = parsed({
      filter: { amenityCodes: ["wifi", "pool"], guests: 2 },
      first: 5,
    });
    const b = parsed({
      filter: { guests: 2, amenityCodes: ["pool", "wifi", "pool"] },
      first: 50,
    });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(searchFingerprint(a.filter, "NEWEST")).not.toBe(a.fingerprint);
  });
});

describe("check-in and each listing's local today", () => {
  const at = (now: string, args: SearchArgs) => parseSearchArgs(args, { ...env, now: new Date(now) });
  const stayFrom = (checkIn: string, checkOut: string): SearchArgs => ({ filter: { checkIn, checkOut } });

  it.each<[string, string, SearchArgs, string | null]>([
    ["no dates: nothing to judge", "2027-03-01T12:00:00Z", {}, null],
    [
      "today in UTC, tomorrow at UTC+14",
      "2027-03-01T12:00:00Z",
      stayFrom("2027-03-01", "2027-03-03"),
      "2027-03-01T12:00:00.000Z",
    ],
    ["today or later everywhere", "2027-03-01T12:00:00Z", stayFrom("2027-03-02", "2027-03-03"), null],
    [
      "yesterday in UTC, today at UTC−10",
      "2027-03-01T05:00:00Z",
      stayFrom("2027-02-28", "2027-03-03"),
      "2027-03-01T05:00:00.000Z",
    ],
    [
      "the instant taken at its quarter hour",
      "2027-03-01T12:14:59Z",
      stayFrom("2027-03-01", "2027-03-03"),
      "2027-03-01T12:00:00.000Z",
    ],
  ])("%s", (_name, now, args, listingTodayAt) => {
    const result = at(now, args);
    if (!result.ok) throw new Error(JSON.stringify(result.fields));
    expect(result.request.listingTodayAt?.toISOString() ?? null).toBe(listingTodayAt);
  });

  it("refuses a check-in that is past everywhere on Earth", () => {
    // 05:00 UTC on 1 March is 17:00 on 28 February at UTC−12.
    expect(at("2027-03-01T05:00:00Z", stayFrom("2027-02-27", "2027-03-03"))).toEqual({
      ok: false,
      fields: [{ path: "filter.checkIn", message: "must not be in the past" }],
    });
    expect(at("2027-03-01T05:00:00Z", stayFrom("2027-02-28", "2027-03-03")).ok).toBe(true);
    expect(at("2027-03-01T12:00:00Z", stayFrom("2027-02-28", "2027-03-03")).ok).toBe(false);
  });

  it("keeps cursors across instants: the instant is not part of the fingerprint", () => {
    const a = at("2027-03-01T05:00:00Z", stayFrom("2027-03-01", "2027-03-03"));
    const b = at("2027-03-01T12:00:00Z", stayFrom("2027-03-01", "2027-03-03"));
    if (!a.ok || !b.ok) throw new Error("expected valid");
    expect(a.request.fingerprint).toBe(b.request.fingerprint);
  });
});

describe("needsStayTotals: when prices are the stay's and every match is priced", () => {
  it.each<[string, SearchArgs, boolean]>([
    ["no dates, price sort", { sort: "PRICE_ASC" }, false],
    ["no dates, price filter", { filter: { priceMax: 100 } }, false],
    ["dates, relevance", { filter: { checkIn: "2027-03-02", checkOut: "2027-03-03" } }, false],
    [
      "dates, price sort",
      {
        sort: "PRICE_DESC",
        filter: { checkIn: "2027-03-02", checkOut: "2027-03-03" },
      },
      true,
    ],
    [
      "dates, price filter",
      {
        filter: { checkIn: "2027-03-02", checkOut: "2027-03-03", priceMin: 0 },
      },
      true,
    ],
  ])("%s → %s", (_name, args, expected) => {
    expect(needsStayTotals(parsed(args))).toBe(expected);
  });
});
