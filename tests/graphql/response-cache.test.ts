// The response cache over real HTTP, on Redis and on the in-memory store: hits answered before
// execution, each viewer's scope apart, every write path dropping what it must and nothing
// else, and GET answers a CDN can keep (Cache-Control, ETag, 304).
//
// A hit is told apart from a fresh answer by a change written behind the API's back (straight
// into the database, no invalidation): a cached answer still shows the old value.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddListingPhotosDocument,
  ListingDocument,
  ListingReviewsDocument,
  SearchListingsDocument,
  type SearchListingsQueryVariables,
  SetAvailabilityDocument,
  UpdateListingDocument,
  UpdateProfileDocument,
} from "../../schema/generated/graphql.ts";
import type { Listing } from "../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bookingInput, book, staySequence } from "../helpers/bookings.ts";
import { codeOf } from "../helpers/client.ts";
import { factories, type TestUser } from "../helpers/factories.ts";
import { completedStay, reviewBothSides } from "../helpers/reviews.ts";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe.each([
  { store: "Redis", redis: true },
  { store: "the in-memory store", redis: false },
])("on $store", ({ redis }) => {
  let t: TestApp;
  let host: TestUser;
  let guest: TestUser;
  /** Each test's own spot, in a 1° search cell of its own, so no test's writes reach another's pages. */
  let spots = 0;
  const nextDates = staySequence(day(60), 2);

  beforeAll(async () => {
    t = await startTestApp({ redis });
    const make = factories(t);
    [host, guest] = await Promise.all([make.user().create(), make.user().create()]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const responseCache = async (result: string) =>
    (await t.app.metrics.responseCache.get()).values.find((value) => value.labels.result === result)?.value ??
    0;

  function spot(): { lat: number; lng: number } {
    spots += 1;
    return { lat: 10.5 + spots * 2, lng: -8.5 };
  }

  async function listingAt(at: { lat: number; lng: number }, data: Partial<Listing> = {}) {
    const listing = await factories(t)
      .listing(host)
      .listed()
      .with({ ...at, ...data })
      .create();
    return { listing, id: encodeGlobalId("Listing", listing.id) };
  }

  const searchNear = (
    at: { lat: number; lng: number },
    extra: Partial<NonNullable<SearchListingsQueryVariables["filter"]>> = {},
  ) =>
    t.client.ok(SearchListingsDocument, {
      filter: { near: { lat: at.lat, lng: at.lng, radiusKm: 10 }, ...extra },
      first: 20,
    });
  const titlesNear = async (at: { lat: number; lng: number }, extra = {}) =>
    (await searchNear(at, extra)).searchListings.edges.map((edge) => edge.node.title);
  const behindTheBack = (listing: Listing, data: Partial<Listing>) =>
    t.app.db.listing.update({ where: { id: listing.id }, data });

  it("answers a repeated read from the cache, before execution", async () => {
    const at = spot();
    const { listing, id } = await listingAt(at, { title: "Cached flat" });
    const hits = await responseCache("hit");
    expect((await t.client.ok(ListingDocument, { id })).listing?.title).toBe("Cached flat");
    expect(await titlesNear(at)).toEqual(["Cached flat"]);
    await behindTheBack(listing, { title: "Changed in the database" });
    expect((await t.client.ok(ListingDocument, { id })).listing?.title).toBe("Cached flat");
    expect(await titlesNear(at)).toEqual(["Cached flat"]);
    expect(await responseCache("hit")).toBe(hits + 2);
  });

  it("identical misses in flight wait for the first: one computes, the others get its answer", async () => {
    const at = spot();
    await listingAt(at, { title: "Popular" });
    const before = {
      miss: await responseCache("miss"),
      coalesced: await responseCache("coalesced"),
      hit: await responseCache("hit"),
    };
    const answers = await Promise.all(Array.from({ length: 12 }, () => titlesNear(at)));
    expect(new Set(answers.map((titles) => titles.join()))).toEqual(new Set(["Popular"]));
    expect(await responseCache("miss")).toBe(before.miss + 1);
    const shared =
      (await responseCache("coalesced")) - before.coalesced + (await responseCache("hit")) - before.hit;
    expect(shared).toBe(11);
    expect(await responseCache("coalesced")).toBeGreaterThan(before.coalesced);
  });

  it("keeps each viewer's scope apart: a host's draft is never shown to anyone else", async () => {
    const draft = await factories(t).listing(host).with({ title: "Secret draft" }).create();
    const id = encodeGlobalId("Listing", draft.id);
    expect((await host.client.ok(ListingDocument, { id })).listing?.title).toBe("Secret draft");
    expect((await host.client.ok(ListingDocument, { id })).listing?.title).toBe("Secret draft");
    expect(codeOf(await t.client.request(ListingDocument, { id }))).toBe("NOT_FOUND");
    expect(codeOf(await guest.client.request(ListingDocument, { id }))).toBe("NOT_FOUND");

    // And a public answer is not what a signed-in caller gets: their scope is their own.
    const { id: listedId } = await listingAt(spot());
    await t.client.ok(ListingDocument, { id: listedId });
    const [hits, misses] = [await responseCache("hit"), await responseCache("miss")];
    await guest.client.ok(ListingDocument, { id: listedId });
    expect([await responseCache("hit"), await responseCache("miss")]).toEqual([hits, misses + 1]);
    await guest.client.ok(ListingDocument, { id: listedId });
    expect(await responseCache("hit")).toBe(hits + 1);
  });

  it("a listing write drops its page and the searches around it, not a search elsewhere", async () => {
    const [here, elsewhere] = [spot(), spot()];
    const { id } = await listingAt(here, { title: "Before" });
    const { listing: other } = await listingAt(elsewhere, { title: "Elsewhere" });
    await t.client.ok(ListingDocument, { id });
    expect(await titlesNear(here)).toEqual(["Before"]);
    expect(await titlesNear(elsewhere)).toEqual(["Elsewhere"]);
    await behindTheBack(other, { title: "Elsewhere, changed quietly" });

    await host.client.ok(UpdateListingDocument, { input: { listingId: id, title: "After" } });
    expect((await t.client.ok(ListingDocument, { id })).listing?.title).toBe("After");
    expect(await titlesNear(here)).toEqual(["After"]);
    // The page 40 km away was not invalidated: it still shows what it cached.
    expect(await titlesNear(elsewhere)).toEqual(["Elsewhere"]);
  });

  it("moving a listing drops the searches where it was and where it is now", async () => {
    const [from, to] = [spot(), spot()];
    const { id } = await listingAt(from, { title: "Mover" });
    expect(await titlesNear(from)).toEqual(["Mover"]);
    expect(await titlesNear(to)).toEqual([]);
    await host.client.ok(UpdateListingDocument, { input: { listingId: id, location: to } });
    expect(await titlesNear(from)).toEqual([]);
    expect(await titlesNear(to)).toEqual(["Mover"]);
  });

  it("a photo drops the listing's page", async () => {
    const { id } = await listingAt(spot());
    const before = (await t.client.ok(ListingDocument, { id })).listing?.photos.length ?? 0;
    await host.client.ok(AddListingPhotosDocument, {
      input: { listingId: id, photos: [{ url: `https://images.example.test/${randomUUID()}.jpg` }] },
    });
    expect((await t.client.ok(ListingDocument, { id })).listing?.photos.length).toBe(before + 1);
  });

  it("a host block drops the dated searches of its months, not other months' pages", async () => {
    const at = spot();
    const { id } = await listingAt(at, { title: "Small", maxGuests: 2 });
    const { listing: big } = await listingAt(at, { title: "Big", maxGuests: 6 });
    const [blocked, later] = [
      { checkIn: day(100), checkOut: day(102) },
      { checkIn: day(160), checkOut: day(162), guests: 5 },
    ];
    expect((await titlesNear(at, blocked)).sort()).toEqual(["Big", "Small"]);
    expect(await titlesNear(at, later)).toEqual(["Big"]);
    await behindTheBack(big, { title: "Big, renamed quietly" });

    await host.client.ok(SetAvailabilityDocument, {
      input: { listingId: id, ranges: [{ start: blocked.checkIn, end: blocked.checkOut, available: false }] },
    });
    expect(await titlesNear(at, blocked)).toEqual(["Big, renamed quietly"]);
    // Two months later, and without the blocked listing in it: not invalidated.
    expect(await titlesNear(at, later)).toEqual(["Big"]);
  });

  it("a booking drops the dated searches of its nights", async () => {
    const at = spot();
    const { id } = await listingAt(at, { title: "Bookable" });
    const dates = nextDates();
    expect(await titlesNear(at, dates)).toEqual(["Bookable"]);
    await book(guest, bookingInput({ listingId: id }, dates));
    expect(await titlesNear(at, dates)).toEqual([]);
  });

  it("a published review drops the listing's reviews and the searches showing its rating", async () => {
    const at = spot();
    const { listing, id } = await listingAt(at);
    const reviewsOf = async () =>
      (await t.client.ok(ListingReviewsDocument, { id, first: 5 })).listing?.reviews;
    expect((await reviewsOf())?.totalCount).toBe(0);
    expect((await searchNear(at)).searchListings.edges[0]?.node.rating?.count ?? 0).toBe(0);
    const stay = await completedStay(t, { host, guest, listing }, { checkIn: day(-6), checkOut: day(-4) });
    await reviewBothSides(stay, 5);
    expect((await reviewsOf())?.totalCount).toBe(1);
    expect((await searchNear(at)).searchListings.edges[0]?.node.rating?.count).toBe(1);
  });

  it("a host's new name shows on their listing's page and in searches at once", async () => {
    const renamed = await factories(t).user().create();
    const at = spot();
    const listing = await factories(t).listing(renamed).listed().with(at).create();
    const id = encodeGlobalId("Listing", listing.id);
    await t.client.ok(ListingDocument, { id });
    await searchNear(at);
    await renamed.client.ok(UpdateProfileDocument, { input: { firstName: "Renamed" } });
    expect((await t.client.ok(ListingDocument, { id })).listing?.host.firstName).toBe("Renamed");
    expect((await searchNear(at)).searchListings.edges[0]?.node.host.firstName).toBe("Renamed");
  });

  it("does not keep an answer when a write it depends on landed while it was computed", async () => {
    const { listing, id } = await listingAt(spot());
    await t.app.cache.invalidate(`listing:${listing.id}`); // as a write committing just now would
    const skips = await responseCache("skip");
    await t.client.ok(ListingDocument, { id });
    expect(await responseCache("skip")).toBe(skips + 1);
    // Not kept, so the next read is answered afresh (a miss), not from the cache.
    const [hits, misses] = [await responseCache("hit"), await responseCache("miss")];
    await t.client.ok(ListingDocument, { id });
    expect([await responseCache("hit"), await responseCache("miss")]).toEqual([hits, misses + 1]);
  });

  describe("over GET", () => {
    const hash =
      (ListingDocument as { __meta__?: { hash?: string } }).__meta__?.hash?.replace(/^sha256:/, "") ?? "";
    const getListing = (id: string, headers: Record<string, string> = {}) => {
      const url = new URL("/graphql", t.url);
      url.searchParams.set(
        "extensions",
        JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
      );
      url.searchParams.set("variables", JSON.stringify({ id }));
      return fetch(url, { headers: { accept: "application/graphql-response+json", ...headers } });
    };

    it("a public answer carries Cache-Control and an ETag, and If-None-Match answers 304", async () => {
      const { id } = await listingAt(spot(), { title: "Over GET" });
      const first = await getListing(id);
      expect(first.status).toBe(200);
      expect(first.headers.get("cache-control")).toBe("public, max-age=30");
      expect(first.headers.get("vary")).toMatch(/Authorization/);
      const etag = first.headers.get("etag") ?? "";
      expect(etag).toMatch(/^"[\w-]+"$/);
      const body = await first.text();

      const hit = await getListing(id);
      expect(hit.headers.get("etag")).toBe(etag);
      expect(await hit.text()).toBe(body);

      const revalidated = await getListing(id, { "if-none-match": etag });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe("");
      expect(revalidated.headers.get("etag")).toBe(etag);

      await host.client.ok(UpdateListingDocument, { input: { listingId: id, title: "Over GET, changed" } });
      const changed = await getListing(id, { "if-none-match": etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(etag);
      expect(await changed.text()).toContain("Over GET, changed");
    });

    it("the REST facade's GET routes answer the same way, with an ETag of their own body", async () => {
      const { id } = await listingAt(spot(), { title: "Over REST" });
      const path = `${t.url}/api/listings/${id}`;
      const first = await fetch(path);
      expect(first.status).toBe(200);
      expect(first.headers.get("cache-control")).toBe("public, max-age=30");
      const etag = first.headers.get("etag") ?? "";
      const body = await first.text();
      expect(etag).not.toBe((await getListing(id)).headers.get("etag"));
      const revalidated = await fetch(path, { headers: { "if-none-match": etag } });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe("");
      const again = await fetch(path);
      expect([again.headers.get("etag"), await again.text()]).toEqual([etag, body]);
      const signedIn = await fetch(path, { headers: { authorization: `Bearer ${guest.accessToken}` } });
      expect(signedIn.headers.get("cache-control")).toBe("private, no-cache");
      expect(
        (await fetch(`${t.url}/api/listings/${encodeGlobalId("Listing", randomUUID())}`)).headers.get("etag"),
      ).toBeNull();
    });

    it("a signed-in caller's answer is private", async () => {
      const { id } = await listingAt(spot());
      const response = await getListing(id, { authorization: `Bearer ${guest.accessToken}` });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("private, no-cache");
      expect(response.headers.get("etag")).toBeTruthy();
    });

    it("an answer with errors is neither tagged nor cacheable", async () => {
      const response = await getListing(encodeGlobalId("Listing", randomUUID()));
      expect(response.headers.get("etag")).toBeNull();
      expect(response.headers.get("cache-control")).toBe("no-store");
    });
  });
});
