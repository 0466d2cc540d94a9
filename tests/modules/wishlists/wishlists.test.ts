// Wishlists over real HTTP: names, the 100-list limit (also under concurrent creates), saving
// and removing listings (twice is harmless), privacy, and listings that stop being LISTED.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddToWishlistDocument,
  CreateWishlistDocument,
  RemoveFromWishlistDocument,
  UnpublishListingDocument,
  WishlistNodeDocument,
  WishlistsDocument,
} from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { WISHLISTS_MAX } from "../../../src/modules/wishlists/service.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId } from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";

let t: TestApp;
let make: ReturnType<typeof factories>;
let host: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  make = factories(t);
  host = await make.user().host().create();
});
afterAll(async () => {
  await t.close();
});

const listingId = (listing: Listing) => encodeGlobalId("Listing", listing.id);

async function createWishlist(user: TestUser, name: string) {
  return (await user.client.ok(CreateWishlistDocument, { input: { name } })).createWishlist.wishlist;
}

async function add(user: TestUser, wishlistId: string, listing: Listing) {
  return user.client.request(AddToWishlistDocument, {
    input: { wishlistId, listingId: listingId(listing) },
  });
}

const savedIds = (wishlist: { listings: { edges: Array<{ node: { id: string } }> } }) =>
  wishlist.listings.edges.map((edge) => edge.node.id);

describe("createWishlist", () => {
  it("creates an empty list, trimmed, shown first in the caller's wishlists", async () => {
    const user = await make.user().create();
    const older = await createWishlist(user, "Lisbon");
    const wishlist = await createWishlist(user, "  Summer 2027  ");
    expect(wishlist).toMatchObject({ name: "Summer 2027", listings: { totalCount: 0, edges: [] } });
    expect(new Date(wishlist.createdAt).getTime()).toBeGreaterThan(0);
    const { wishlists } = await user.client.ok(WishlistsDocument, {});
    expect(wishlists.map((w) => w.id)).toEqual([wishlist.id, older.id]);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["51 characters", "x".repeat(51)],
    ["a line break", "Beach\nhouses"],
    ["a bidirectional override", "Beach \u202Egnp.exe"],
  ])("refuses a name that is %s (BAD_USER_INPUT on name)", async (_what, name) => {
    const user = await make.user().create();
    const result = await user.client.request(CreateWishlistDocument, { input: { name } });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result).map((field) => field.path)).toEqual(["name"]);
  });

  it("takes a name of 50 characters", async () => {
    const user = await make.user().create();
    expect((await createWishlist(user, "y".repeat(50))).name).toHaveLength(50);
  });

  it("refuses a name the caller already uses (CONFLICT), which another user may still take", async () => {
    const [user, other] = await Promise.all([make.user().create(), make.user().create()]);
    await createWishlist(user, "Cabins");
    const again = await user.client.request(CreateWishlistDocument, { input: { name: " Cabins" } });
    expect(codeOf(again)).toBe("CONFLICT");
    expect((await createWishlist(other, "Cabins")).name).toBe("Cabins");
  });

  it("needs a signed-in caller", async () => {
    expect(codeOf(await t.client.request(CreateWishlistDocument, { input: { name: "x" } }))).toBe(
      "UNAUTHENTICATED",
    );
    expect(codeOf(await t.client.request(WishlistsDocument, {}))).toBe("UNAUTHENTICATED");
  });
});

describe("the limit of 100 lists a user", () => {
  it("refuses the 101st (INVALID_STATE)", async () => {
    const user = await make.user().create();
    await t.app.db.wishlist.createMany({
      data: Array.from({ length: WISHLISTS_MAX - 1 }, (_, i) => ({ userId: user.id, name: `List ${i}` })),
    });
    await createWishlist(user, "The hundredth");
    const refused = await user.client.request(CreateWishlistDocument, { input: { name: "One more" } });
    expect(codeOf(refused)).toBe("INVALID_STATE");
    expect(await t.app.db.wishlist.count({ where: { userId: user.id } })).toBe(WISHLISTS_MAX);
    expect((await user.client.ok(WishlistsDocument, { listingsFirst: 1 })).wishlists).toHaveLength(
      WISHLISTS_MAX,
    );
  });

  it("holds when creates race: of 10 concurrent creates with room for 4, exactly 4 pass", async () => {
    const user = await make.user().create();
    await t.app.db.wishlist.createMany({
      data: Array.from({ length: WISHLISTS_MAX - 4 }, (_, i) => ({ userId: user.id, name: `List ${i}` })),
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        user.client.request(CreateWishlistDocument, { input: { name: `Race ${i}` } }),
      ),
    );
    const codes = results.map((result) => codeOf(result) ?? "OK");
    expect(codes.filter((code) => code === "OK")).toHaveLength(4);
    expect(codes.filter((code) => code === "INVALID_STATE")).toHaveLength(6);
    expect(await t.app.db.wishlist.count({ where: { userId: user.id } })).toBe(WISHLISTS_MAX);
  });
});

describe("addToWishlist and removeFromWishlist", () => {
  it("saves listings newest first, and saving one again changes nothing", async () => {
    const user = await make.user().create();
    const [first, second] = await Promise.all([
      make.listing(host).listed().create(),
      make.listing(host).listed().create(),
    ]);
    const wishlist = await createWishlist(user, "Favourites");
    await add(user, wishlist.id, first);
    const saved = (await add(user, wishlist.id, second)).data?.addToWishlist.wishlist;
    expect(saved && savedIds(saved)).toEqual([listingId(second), listingId(first)]);

    const again = await add(user, wishlist.id, first);
    expect(again.errors).toBeUndefined();
    const after = again.data?.addToWishlist.wishlist;
    expect(after?.listings.totalCount).toBe(2);
    // Its place is kept: it was saved first.
    expect(after && savedIds(after)).toEqual([listingId(second), listingId(first)]);
    expect(after?.listings.edges[0]?.node).toMatchObject({ status: "LISTED", title: second.title });
  });

  it("removes a listing; removing one not in the list is no error", async () => {
    const user = await make.user().create();
    const listing = await make.listing(host).listed().create();
    const wishlist = await createWishlist(user, "To remove");
    await add(user, wishlist.id, listing);
    const input = { wishlistId: wishlist.id, listingId: listingId(listing) };
    const removed = await user.client.ok(RemoveFromWishlistDocument, { input });
    expect(removed.removeFromWishlist.wishlist.listings).toMatchObject({ totalCount: 0, edges: [] });
    const twice = await user.client.ok(RemoveFromWishlistDocument, { input });
    expect(twice.removeFromWishlist.wishlist.listings.totalCount).toBe(0);
  });

  it("lets a host save their own draft but not another host's (NOT_FOUND)", async () => {
    const otherHost = await make.user().host().create();
    const [ownDraft, othersDraft] = await Promise.all([
      make.listing(otherHost).create(),
      make.listing(host).create(),
    ]);
    const wishlist = await createWishlist(otherHost, "Drafts");
    expect((await add(otherHost, wishlist.id, ownDraft)).errors).toBeUndefined();
    expect(codeOf(await add(otherHost, wishlist.id, othersDraft))).toBe("NOT_FOUND");
  });

  it("answers NOT_FOUND for ids that name nothing, are malformed or of another type", async () => {
    const user = await make.user().create();
    const listing = await make.listing(host).listed().create();
    const wishlist = await createWishlist(user, "Ids");
    const missingListing = encodeGlobalId("Listing", "00000000-0000-4000-8000-000000000000");
    for (const input of [
      { wishlistId: wishlist.id, listingId: missingListing },
      { wishlistId: wishlist.id, listingId: "not-an-id" },
      { wishlistId: wishlist.id, listingId: wishlist.id },
      { wishlistId: listingId(listing), listingId: listingId(listing) },
      {
        wishlistId: encodeGlobalId("Wishlist", "00000000-0000-4000-8000-000000000000"),
        listingId: listingId(listing),
      },
    ]) {
      expect(codeOf(await user.client.request(AddToWishlistDocument, { input }))).toBe("NOT_FOUND");
    }
  });

  it("pages through listings saved at the same instant without repeats or gaps", async () => {
    const user = await make.user().create();
    const wishlist = await createWishlist(user, "Paging");
    const listings = await Promise.all(Array.from({ length: 5 }, () => make.listing(host).listed().create()));
    await t.app.db.wishlistItem.createMany({
      data: listings.map((listing) => ({
        wishlistId: rawId(wishlist.id),
        listingId: listing.id,
        createdAt: new Date("2027-01-01T00:00:00Z"),
      })),
    });
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await user.client.ok(WishlistNodeDocument, {
        id: wishlist.id,
        listingsFirst: 2,
        listingsAfter: after,
      });
      if (page.node?.__typename !== "Wishlist") throw new Error("not a wishlist");
      seen.push(...savedIds(page.node));
      after = page.node.listings.pageInfo.hasNextPage ? page.node.listings.pageInfo.endCursor : null;
    } while (after);
    expect([...seen].sort()).toEqual(listings.map(listingId).sort());
  });
});

describe("privacy", () => {
  it("hides a wishlist from everyone but its owner, admins included (NOT_FOUND)", async () => {
    const [owner, stranger, admin] = await Promise.all([
      make.user().create(),
      make.user().create(),
      make.user().admin().create(),
    ]);
    const listing = await make.listing(host).listed().create();
    const wishlist = await createWishlist(owner, "Private");
    await add(owner, wishlist.id, listing);
    const input = { wishlistId: wishlist.id, listingId: listingId(listing) };

    for (const user of [stranger, admin]) {
      expect(codeOf(await user.client.request(WishlistNodeDocument, { id: wishlist.id }))).toBe("NOT_FOUND");
      expect(codeOf(await user.client.request(AddToWishlistDocument, { input }))).toBe("NOT_FOUND");
      expect(codeOf(await user.client.request(RemoveFromWishlistDocument, { input }))).toBe("NOT_FOUND");
      expect((await user.client.ok(WishlistsDocument, {})).wishlists).toEqual([]);
    }
    expect(codeOf(await t.client.request(WishlistNodeDocument, { id: wishlist.id }))).toBe("NOT_FOUND");
    // Nothing changed, and the owner still sees it.
    const own = await owner.client.ok(WishlistNodeDocument, { id: wishlist.id });
    expect(own.node).toMatchObject({ id: wishlist.id, name: "Private", listings: { totalCount: 1 } });
  });
});

describe("a saved listing that is no longer LISTED", () => {
  it("stays in the list with its status, can be re-saved harmlessly and removed", async () => {
    const owner = await make.user().create();
    const listing = await make.listing(host).listed().create();
    const wishlist = await createWishlist(owner, "Unlisted");
    await add(owner, wishlist.id, listing);
    await host.client.ok(UnpublishListingDocument, { input: { listingId: listingId(listing) } });

    // The owner can no longer open the listing itself...
    const page = await owner.client.request("query ($id: ID!) { listing(id: $id) { id } }", {
      id: listingId(listing),
    });
    expect(codeOf(page)).toBe("NOT_FOUND");
    // ...but the wishlist keeps showing it, marked by its status.
    const { wishlists } = await owner.client.ok(WishlistsDocument, {});
    expect(wishlists[0]?.listings.edges.map((edge) => edge.node)).toMatchObject([
      { id: listingId(listing), status: "UNLISTED", title: listing.title },
    ]);

    expect((await add(owner, wishlist.id, listing)).errors).toBeUndefined();
    const removed = await owner.client.ok(RemoveFromWishlistDocument, {
      input: { wishlistId: wishlist.id, listingId: listingId(listing) },
    });
    expect(removed.removeFromWishlist.wishlist.listings.totalCount).toBe(0);
    // Once removed, it cannot be saved again while it is hidden.
    expect(codeOf(await add(owner, wishlist.id, listing))).toBe("NOT_FOUND");
  });

  it("shows a suspended listing too, with only its public fields", async () => {
    const owner = await make.user().create();
    const listing = await make.listing(host).listed().create();
    const wishlist = await createWishlist(owner, "Suspended");
    await add(owner, wishlist.id, listing);
    await t.app.db.listing.update({ where: { id: listing.id }, data: { status: "SUSPENDED" } });
    const { node } = await owner.client.ok(WishlistNodeDocument, { id: wishlist.id });
    if (node?.__typename !== "Wishlist") throw new Error("not a wishlist");
    expect(node.listings.edges[0]?.node).toMatchObject({
      status: "SUSPENDED",
      address: { line1: null, city: "Lisbon" },
    });
  });
});
