// Bookings change nights, and cached reads follow exactly: the listing's own reads and the dated
// search pages whose stay touches those months are dropped; undated pages and other months stay.
import { afterAll, beforeAll, expect, it } from "vitest";
import { CancelBookingDocument, SearchListingsDocument } from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { listingCacheTags, searchPageTags } from "../../../src/modules/listings/cache-tags.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, expectBooksBalanced, stayFixture } from "../../helpers/bookings.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
});

it("a booking drops the listing's reads and the dated search pages of its months, and no other page", async () => {
  // Far from every other test's listings, so this search finds only this one.
  const stay = await stayFixture(t, { lat: -54.8, lng: -68.3, city: "Ushuaia", country: "AR" });
  const near = { lat: -54.8, lng: -68.3, radiusKm: 5 };
  const search = (dates: { checkIn?: string; checkOut?: string }) =>
    t.client.ok(SearchListingsDocument, { filter: { near, ...dates } });
  const ids = async (dates: { checkIn?: string; checkOut?: string }) =>
    (await search(dates)).searchListings.edges.map((edge) => edge.node.id);

  const april = { checkIn: "2027-04-10", checkOut: "2027-04-12" };
  expect(await ids(april)).toEqual([stay.listingId]);

  let loads = 0;
  const probe = (namespaces: string[]) =>
    t.app.cache.getOrLoad(namespaces, `probe:${stay.listing.id}`, async () => ++loads);
  const pages = {
    listing: [listingCacheTags.listing(stay.listing.id)],
    undated: searchPageTags({ stay: null }),
    april: searchPageTags({ stay: { checkIn: "2027-03-30", checkOut: "2027-04-02" } }),
    may: searchPageTags({ stay: { checkIn: "2027-05-01", checkOut: "2027-05-03" } }),
  };
  const first: Record<string, number> = {};
  for (const [name, tags] of Object.entries(pages)) first[name] = await probe(tags);

  const booking = await book(stay.guest, bookingInput(stay, april));

  // The cached April page was dropped: the listing is no longer free on those nights.
  expect(await ids(april)).toEqual([]);
  expect(await probe(pages.listing)).toBeGreaterThan(4);
  expect(await probe(pages.april)).toBeGreaterThan(4);
  expect(await probe(pages.undated)).toBe(first.undated);
  expect(await probe(pages.may)).toBe(first.may);

  // A cancellation frees the nights, and the page shows it at once.
  await stay.guest.client.ok(CancelBookingDocument, {
    input: { bookingId: booking.id, idempotencyKey: crypto.randomUUID() },
  });
  expect(await ids(april)).toEqual([stay.listingId]);
  expect(await probe(pages.undated)).toBe(first.undated);
});
