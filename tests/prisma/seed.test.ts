import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogInDocument, SearchListingsDocument } from "../../schema/generated/graphql.ts";
import { DEMO_PASSWORD, seedDemoData, seedDemoDataIfEmpty } from "../../prisma/seed.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await seedDemoData(t.app.db, t.app.config.pricing);
});
afterAll(() => t.close());

describe("demo data", () => {
  it("holds a living marketplace: listed places with photos, ratings and reviews in real cities", async () => {
    const listings = await t.app.db.listing.findMany({ include: { photos: true, reviews: true } });
    expect(listings.length).toBeGreaterThanOrEqual(10);
    expect(new Set(listings.map((listing) => listing.currency)).size).toBeGreaterThanOrEqual(5);
    for (const listing of listings) {
      expect(listing.status).toBe("LISTED");
      expect(listing.photos.length).toBeGreaterThan(0);
      expect(listing.reviews.length).toBe(listing.ratingCount);
    }
  });

  it("lets the demo users log in and finds Lisbon's listing near Lisbon, with its rating", async () => {
    await t.client.ok(LogInDocument, { input: { email: "guest@roost.example", password: DEMO_PASSWORD } });
    const found = await t.client.ok(SearchListingsDocument, {
      filter: { near: { lat: 38.7223, lng: -9.1393, radiusKm: 20 } },
      first: 10,
    });
    expect(found.searchListings.edges.map((edge) => edge.node.title)).toEqual([
      "Sunny loft above the Alfama rooftops",
    ]);
    expect(found.searchListings.edges[0]?.node.rating?.count).toBe(2);
  });

  it("is loaded only into a database without users", async () => {
    expect(await seedDemoDataIfEmpty(t.app.db)).toBe(false);
  });
});
