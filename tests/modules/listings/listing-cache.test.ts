// The listing page cache over HTTP: reads served from it, writes dropping it, visibility on every read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ListingDocument,
  UnpublishListingDocument,
  UpdateListingDocument,
  UpdateProfileDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";

let t: TestApp;
let host: TestUser;
beforeAll(async () => {
  // The listing cache under the response cache (tested in graphql/response-cache.test.ts).
  t = await startTestApp({ configure: (config) => void (config.responseCache = false) });
  host = await factories(t).user().create();
});
afterAll(() => t.close());

const cacheCount = async (app: TestApp, result: string) => {
  const metric = await app.app.metrics.cacheRequests.get();
  return metric.values.find((value) => value.labels.result === result)?.value ?? 0;
};

describe("listing page cache", () => {
  it("serves repeated reads from the cache and never a stale page after the host's own write", async () => {
    const listing = await factories(t)
      .listing({ id: host.id })
      .listed()
      .with({ title: "Original title" })
      .create();
    const id = encodeGlobalId("Listing", listing.id);
    const hitsBefore = await cacheCount(t, "hit");
    expect((await t.client.ok(ListingDocument, { id })).listing?.title).toBe("Original title");

    // Written behind the API's back: the cache keeps answering with what it holds.
    await t.app.db.listing.update({ where: { id: listing.id }, data: { title: "Changed in the database" } });
    const cached = await t.client.ok(ListingDocument, { id });
    expect(cached.listing?.title).toBe("Original title");
    expect(cached.listing?.createdAt).toBe(listing.createdAt.toISOString());
    expect(await cacheCount(t, "hit")).toBeGreaterThan(hitsBefore);

    await host.client.ok(UpdateListingDocument, {
      input: { listingId: id, title: "Changed through the API" },
    });
    expect((await t.client.ok(ListingDocument, { id })).listing?.title).toBe("Changed through the API");
  });

  it("shows the host's new name after a profile change", async () => {
    const listing = await factories(t).listing({ id: host.id }).listed().create();
    const id = encodeGlobalId("Listing", listing.id);
    await t.client.ok(ListingDocument, { id });
    await host.client.ok(UpdateProfileDocument, { input: { firstName: "Renamed" } });
    expect((await t.client.ok(ListingDocument, { id })).listing?.host.firstName).toBe("Renamed");
  });

  it("keeps strings shaped like timestamps as strings, on a miss and on a hit", async () => {
    const title = "2027-01-01T00:00:00.000Z";
    const listing = await factories(t).listing({ id: host.id }).listed().with({ title }).create();
    const id = encodeGlobalId("Listing", listing.id);
    const missed = await t.client.ok(ListingDocument, { id });
    const hitsBefore = await cacheCount(t, "hit");
    const hit = await t.client.ok(ListingDocument, { id });
    expect(await cacheCount(t, "hit")).toBeGreaterThan(hitsBefore);
    expect([missed.listing?.title, hit.listing?.title]).toEqual([title, title]);
    // Real instants still come back as instants.
    expect(hit.listing?.createdAt).toBe(listing.createdAt.toISOString());
  });

  it("checks visibility on every read of a cached page", async () => {
    const draft = await factories(t).listing({ id: host.id }).create();
    const id = encodeGlobalId("Listing", draft.id);
    // The host's read caches the page; the same selection read anonymously is that entry.
    expect((await host.client.ok(ListingDocument, { id })).listing?.status).toBe("DRAFT");
    const hitsBefore = await cacheCount(t, "hit");
    expect(codeOf(await t.client.request(ListingDocument, { id }))).toBe("NOT_FOUND");
    expect(await cacheCount(t, "hit")).toBeGreaterThan(hitsBefore);
  });

  it("drops a cached page when the host unpublishes: the listing disappears at once", async () => {
    const listing = await factories(t).listing({ id: host.id }).listed().create();
    const id = encodeGlobalId("Listing", listing.id);
    await t.client.ok(ListingDocument, { id });
    const hitsBefore = await cacheCount(t, "hit");
    expect((await t.client.ok(ListingDocument, { id })).listing?.status).toBe("LISTED");
    expect(await cacheCount(t, "hit")).toBeGreaterThan(hitsBefore);

    await host.client.ok(UnpublishListingDocument, { input: { listingId: id } });
    expect(codeOf(await t.client.request(ListingDocument, { id }))).toBe("NOT_FOUND");
    // Not the cached LISTED page: the host reads the row as it is now.
    expect((await host.client.ok(ListingDocument, { id })).listing?.status).toBe("UNLISTED");
  });

  it("reads through to the database while Redis is down, counting the misses", async ({ skip }) => {
    if (!t.app.redis) skip("no REDIS_URL in this run");
    const isolated = await startTestApp();
    try {
      const owner = await factories(isolated).user().create();
      const listing = await factories(isolated).listing({ id: owner.id }).listed().create();
      isolated.app.redis?.disconnect();
      const errorsBefore = await cacheCount(isolated, "error");
      const result = await isolated.client.ok(ListingDocument, { id: encodeGlobalId("Listing", listing.id) });
      expect(result.listing?.title).toBe(listing.title);
      expect(await cacheCount(isolated, "error")).toBeGreaterThan(errorsBefore);
    } finally {
      await isolated.close();
    }
  });
});
