// A search page costs a fixed number of SQL statements whatever its size: the page's listings,
// hosts, photos, amenities, ratings and first reviews with authors come in one Prisma query.
//
// Counting: Prisma's $on("query") is not emitted with driver adapters, so we count at the driver:
// every statement, pooled or not, ends in pg.Client.prototype.query. The wrapper counts only
// clients connected to this file's database (another test app in the process would not count).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchListingsDocument } from "../../../schema/generated/graphql.ts";
import { listingCacheTags } from "../../../src/modules/listings/cache-tags.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { day, insertBookingRow } from "../../helpers/booking-rows.ts";

let t: TestApp;
const statements: string[] = [];
const originalQuery = pg.Client.prototype.query;

beforeAll(async () => {
  t = await startTestApp();
  const database = t.database.name;
  // pg's query has a dozen overloads; the wrapper only records the text and passes everything through.
  const counting = function (this: pg.Client, ...args: unknown[]): unknown {
    if (this.database === database) {
      const [first] = args;
      statements.push(
        typeof first === "string" ? first : String((first as { text?: string } | undefined)?.text),
      );
    }
    return (originalQuery as (this: pg.Client, ...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = counting as unknown as typeof originalQuery;
}, 60_000);

afterAll(async () => {
  pg.Client.prototype.query = originalQuery;
  await t.close();
});

const at = { lat: 47.3769, lng: 8.5417 };
const filter = { near: { ...at, radiusKm: 20 } };

describe("statements per search page", () => {
  let authors: TestUser[];
  beforeAll(async () => {
    const host = await factories(t).user().host().create();
    authors = [await factories(t).user().create(), await factories(t).user().create()];
    for (let i = 0; i < 50; i++) {
      const listing = await factories(t)
        .listing(host)
        .listed()
        .photos(2)
        .with({
          lat: at.lat + i / 1000,
          lng: at.lng,
          ratingAverage: 4 + (i % 10) / 10,
          ratingCount: 4,
        })
        .create();
      await t.app.db.listingAmenity.createMany({
        data: [
          { listingId: listing.id, amenityCode: "wifi" },
          { listingId: listing.id, amenityCode: "kitchen" },
        ],
      });
      for (let r = 0; r < 4; r++) {
        const author = authors[r % 2]!;
        const booking = await insertBookingRow(t, {
          listing,
          guest: author,
          checkIn: "2026-01-01",
          checkOut: "2026-01-03",
          status: "COMPLETED",
        });
        await t.app.db.review.create({
          data: {
            bookingId: booking.id,
            listingId: listing.id,
            authorId: author.id,
            subjectId: host.id,
            direction: "GUEST_TO_HOST",
            rating: 3 + (r % 3),
            cleanliness: 4,
            comment: "Fine",
            publishedAt: day(`2026-02-0${r + 1}`),
          },
        });
      }
    }
  }, 120_000);

  async function countFor(
    first: number,
    options: { cached: boolean; dated?: boolean; sort?: "PRICE_ASC" | "RELEVANCE" },
  ) {
    if (!options.cached) await t.app.cache.invalidate(listingCacheTags.search);
    statements.length = 0;
    const result = await t.client.ok(SearchListingsDocument, {
      filter: options.dated ? { ...filter, checkIn: "2027-06-10", checkOut: "2027-06-14" } : filter,
      sort: options.sort,
      first,
    });
    const page = result.searchListings;
    expect(page.edges).toHaveLength(first);
    for (const edge of page.edges) {
      expect(edge.node.photos).toHaveLength(2);
      expect(edge.node.amenities).toHaveLength(2);
      expect(edge.node.reviews.edges).toHaveLength(3);
      expect(edge.node.reviews.edges[0]?.node.author.firstName).toBe("Test");
      expect(edge.node.rating?.count).toBe(4);
    }
    return [...statements];
  }

  it("is the same for pages of 5, 20 and 50, cached or not", async () => {
    const uncached: string[][] = [];
    const cached: number[] = [];
    for (const size of [5, 20, 50]) {
      uncached.push(await countFor(size, { cached: false }));
      cached.push((await countFor(size, { cached: true })).length);
    }
    const counts = uncached.map((list) => list.length);
    console.info(
      `search statements per page (5, 20, 50): ${counts.join(", ")}\n${uncached[2]!.join("\n---\n")}`,
    );
    expect(new Set(counts).size).toBe(1);
    // The search itself, and the listings with everything nested (rating average and count are
    // listing columns; category averages are read only when asked for, in one batched query).
    expect(counts[0]).toBe(2);
    // From the cache the search statement is skipped.
    expect(cached).toEqual([1, 1, 1]);
  });

  it("with dates too: stay totals are priced inside the search statement, sorted by them or not", async () => {
    for (const sort of ["PRICE_ASC", "RELEVANCE"] as const) {
      const counts = [];
      for (const size of [5, 20])
        counts.push((await countFor(size, { cached: false, dated: true, sort })).length);
      expect(counts, sort).toEqual([2, 2]);
    }
  });
});
