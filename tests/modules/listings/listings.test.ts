import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateListingDocument,
  ListingDocument,
  MeDocument,
  MyListingsDocument,
  UpdateListingDocument,
  UserListingsDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { validListingInput } from "./listing-input.ts";

let t: TestApp;
let host: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().create();
});
afterAll(() => t.close());

const create = (user: TestUser, overrides = {}) =>
  user.client.request(CreateListingDocument, { input: validListingInput(overrides) });

describe("createListing", () => {
  it("creates a DRAFT listing and makes the caller a host", async () => {
    const guest = await factories(t).user().create();
    const { createListing } = await guest.client.ok(CreateListingDocument, { input: validListingInput() });
    expect(createListing.listing).toMatchObject({
      title: "Bright loft by the river",
      status: "DRAFT",
      nightlyPrice: { amount: 9_500, currency: "EUR", formatted: "€95.00" },
      cleaningFee: { amount: 3_000, formatted: "€30.00" },
      address: { line1: "Rua Augusta 10", city: "Lisbon", country: "PT" },
      location: { lat: 38.71, lng: -9.137 },
      bathrooms: 1.5,
      amenities: [
        { code: "wifi", name: "Wi-Fi" },
        { code: "kitchen", name: "Kitchen" },
      ],
      host: { id: guest.globalId },
      photos: [],
    });
    expect((await guest.client.ok(MeDocument)).me?.isHost).toBe(true);
  });

  it("applies defaults to optional fields", async () => {
    const input = validListingInput();
    for (const key of [
      "description",
      "bedrooms",
      "beds",
      "bathrooms",
      "cleaningFee",
      "minNights",
      "maxNights",
    ] as const) {
      delete input[key];
    }
    const { createListing } = await host.client.ok(CreateListingDocument, { input });
    expect(createListing.listing).toMatchObject({
      minNights: 1,
      maxNights: 365,
      cleaningFee: { amount: 0 },
      description: "",
    });
  });

  it("needs a signed-in user", async () => {
    expect(codeOf(await t.client.request(CreateListingDocument, { input: validListingInput() }))).toBe(
      "UNAUTHENTICATED",
    );
  });

  it.each([
    ["title", { title: "Tiny" }, "must be at least 5 characters"],
    ["title", { title: "x".repeat(121) }, "must be at most 120 characters"],
    ["description", { description: "x".repeat(5_001) }, "must be at most 5000 characters"],
    ["location.lat", { location: { lat: 90.0001, lng: 0 } }, "must be at most 90"],
    ["location.lat", { location: { lat: -90.5, lng: 0 } }, "must be at least -90"],
    ["location.lng", { location: { lat: 0, lng: 180.01 } }, "must be at most 180"],
    ["location.lng", { location: { lat: 0, lng: -181 } }, "must be at least -180"],
    ["nightlyPrice", { nightlyPrice: 99 }, "must be at least 100 for EUR (€1.00)"],
    ["nightlyPrice", { nightlyPrice: 2_000_001 }, "must be at most 2000000 for EUR (€20,000.00)"],
    ["cleaningFee", { cleaningFee: -1 }, "must be at least 0"],
    ["minNights", { minNights: 0 }, "must be at least 1"],
    ["maxNights", { maxNights: 366 }, "must be at most 365"],
    ["minNights", { minNights: 10, maxNights: 9 }, "must not exceed maxNights"],
    ["maxGuests", { maxGuests: 0 }, "must be at least 1"],
    ["maxGuests", { maxGuests: 51 }, "must be at most 50"],
    ["currency", { currency: "EURO" }, "must be an ISO 4217 currency code"],
    [
      "address.country",
      { address: { line1: "x", city: "y", country: "PRT" } },
      "must be an ISO 3166-1 alpha-2 code",
    ],
    ["address.city", { address: { line1: "x", city: " ", country: "PT" } }, "must not be empty"],
    ["checkInTime", { checkInTime: "25:00" }, "must be a time HH:MM"],
    ["timeZone", { timeZone: "Mars/Olympus" }, "must be an IANA time zone such as Europe/Lisbon"],
    ["bathrooms", { bathrooms: 1.3 }, "must be a whole or half number"],
    ["weeklyDiscountPercent", { weeklyDiscountPercent: 100 }, "must be at most 99"],
  ])("refuses a bad %s (%o)", async (path, overrides, message) => {
    const result = await create(host, overrides);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toContainEqual({ path, message });
  });

  it.each([
    [{ title: "Fives" }],
    [{ title: "x".repeat(120) }],
    [{ nightlyPrice: 100 }],
    [{ nightlyPrice: 2_000_000 }],
    [{ location: { lat: -90, lng: 180 } }],
    [{ minNights: 365, maxNights: 365 }],
    [{ maxGuests: 50 }],
    [{ cleaningFee: 0 }],
  ])("accepts the boundary %o", async (overrides) => {
    expect(codeOf(await create(host, overrides))).toBeUndefined();
  });

  it("refuses unknown amenity codes and writes nothing", async () => {
    const before = await t.app.db.listing.count();
    const result = await create(host, { amenityCodes: ["wifi", "moat", "drawbridge"] });
    expect(fieldsOf(result)).toEqual([
      { path: "amenityCodes", message: "unknown amenity codes: moat, drawbridge" },
    ]);
    expect(await t.app.db.listing.count()).toBe(before);
  });

  it("reports every bad field at once", async () => {
    const result = await create(host, { title: "x", maxGuests: 0, nightlyPrice: 1 });
    expect(
      fieldsOf(result)
        .map((field) => field.path)
        .sort(),
    ).toEqual(["maxGuests", "nightlyPrice", "title"]);
  });
});

describe("updateListing", () => {
  it("changes only the given fields; amenityCodes replaces the list", async () => {
    const created = (await host.client.ok(CreateListingDocument, { input: validListingInput() }))
      .createListing.listing;
    const { updateListing } = await host.client.ok(UpdateListingDocument, {
      input: {
        listingId: created.id,
        title: "A brand new title",
        amenityCodes: ["pool"],
        nightlyPrice: 12_000,
      },
    });
    expect(updateListing.listing).toMatchObject({
      title: "A brand new title",
      description: created.description,
      nightlyPrice: { amount: 12_000 },
      amenities: [{ code: "pool" }],
      maxGuests: 4,
    });
  });

  it("checks minNights against the stored maxNights", async () => {
    const created = (
      await host.client.ok(CreateListingDocument, { input: validListingInput({ maxNights: 10 }) })
    ).createListing.listing;
    const result = await host.client.request(UpdateListingDocument, {
      input: { listingId: created.id, minNights: 11 },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)[0]?.path).toBe("minNights");
  });

  it("refuses other users: NOT_FOUND for a draft they cannot see, FORBIDDEN for a listed one; admins may", async () => {
    const draft = (await host.client.ok(CreateListingDocument, { input: validListingInput() })).createListing
      .listing;
    const listed = await factories(t).listing({ id: host.id }).listed().create();
    const listedId = encodeGlobalId("Listing", listed.id);
    const stranger = await factories(t).user().create();
    const admin = await factories(t).user().admin().create();

    const onDraft = await stranger.client.request(UpdateListingDocument, {
      input: { listingId: draft.id, title: "Mine now" },
    });
    expect(codeOf(onDraft)).toBe("NOT_FOUND");
    const onListed = await stranger.client.request(UpdateListingDocument, {
      input: { listingId: listedId, title: "Mine now" },
    });
    expect(codeOf(onListed)).toBe("FORBIDDEN");
    const anonymous = await t.client.request(UpdateListingDocument, {
      input: { listingId: listedId, title: "Mine now" },
    });
    expect(codeOf(anonymous)).toBe("UNAUTHENTICATED");
    const byAdmin = await admin.client.ok(UpdateListingDocument, {
      input: { listingId: listedId, title: "Fixed by admin" },
    });
    expect(byAdmin.updateListing.listing.title).toBe("Fixed by admin");
  });

  it("answers NOT_FOUND for malformed ids and ids of another type", async () => {
    for (const listingId of ["nope", host.globalId]) {
      const result = await host.client.request(UpdateListingDocument, {
        input: { listingId, title: "Whatever title" },
      });
      expect(codeOf(result)).toBe("NOT_FOUND");
    }
  });
});

describe("reading listings", () => {
  it("hides drafts from everyone but their host and admins, and street lines from non-hosts", async () => {
    const draft = (await host.client.ok(CreateListingDocument, { input: validListingInput() })).createListing
      .listing;
    const stranger = await factories(t).user().create();
    expect(codeOf(await stranger.client.request(ListingDocument, { id: draft.id }))).toBe("NOT_FOUND");
    expect(codeOf(await t.client.request(ListingDocument, { id: draft.id }))).toBe("NOT_FOUND");
    expect((await host.client.ok(ListingDocument, { id: draft.id })).listing?.address.line1).toBe(
      "Rua Augusta 10",
    );

    const listed = await factories(t).listing({ id: host.id }).listed().create();
    const publicView = await stranger.client.ok(ListingDocument, {
      id: encodeGlobalId("Listing", listed.id),
    });
    expect(publicView.listing?.address).toMatchObject({
      line1: null,
      postalCode: null,
      city: "Lisbon",
      country: "PT",
    });
  });

  it("myListings lists the caller's listings in every status, newest first, with totalCount", async () => {
    const owner = await factories(t).user().create();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await owner.client.ok(CreateListingDocument, { input: validListingInput() })).createListing.listing
          .id,
      );
    }
    const firstPage = await owner.client.ok(MyListingsDocument, { first: 2 });
    expect(firstPage.myListings.totalCount).toBe(3);
    expect(firstPage.myListings.edges.map((edge) => edge.node.id)).toEqual([ids[2], ids[1]]);
    const secondPage = await owner.client.ok(MyListingsDocument, {
      first: 2,
      after: firstPage.myListings.pageInfo.endCursor,
    });
    expect(secondPage.myListings.edges.map((edge) => edge.node.id)).toEqual([ids[0]]);
    expect(secondPage.myListings.pageInfo.hasNextPage).toBe(false);
    expect(codeOf(await t.client.request(MyListingsDocument, {}))).toBe("UNAUTHENTICATED");
  });

  it("User.listings shows others only LISTED listings", async () => {
    const owner = await factories(t).user().create();
    await owner.client.ok(CreateListingDocument, { input: validListingInput() });
    await factories(t).listing({ id: owner.id }).listed().create();
    const asStranger = await t.client.ok(UserListingsDocument, { id: owner.globalId, first: 10 });
    const asOwner = await owner.client.ok(UserListingsDocument, { id: owner.globalId, first: 10 });
    const count = (data: typeof asOwner) =>
      data.node && "listings" in data.node ? data.node.listings.totalCount : -1;
    expect(count(asStranger)).toBe(1);
    expect(count(asOwner)).toBe(2);
  });
});
