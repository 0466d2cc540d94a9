import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddListingPhotosDocument,
  CreateListingDocument,
  ListingDocument,
  PublishListingDocument,
  RemoveListingPhotoDocument,
  ReorderListingPhotosDocument,
  UnpublishListingDocument,
} from "../../../schema/generated/graphql.ts";
import { decodeGlobalId, encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { listingCacheTags, searchPageTags } from "../../../src/modules/listings/cache-tags.ts";
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

const idOf = (globalId: string) => decodeGlobalId(globalId).id;
const draft = async (overrides = {}) =>
  (await host.client.ok(CreateListingDocument, { input: validListingInput(overrides) })).createListing.listing
    .id;
const photo = (n: number) => ({ url: `https://img.example.test/${n}.jpg`, caption: `Photo ${n}` });
const addPhotos = (listingId: string, count: number, from = 0) =>
  host.client.request(AddListingPhotosDocument, {
    input: { listingId, photos: Array.from({ length: count }, (_, i) => photo(from + i)) },
  });

describe("photos", () => {
  it("appends photos in order with dense positions", async () => {
    const listingId = await draft();
    await addPhotos(listingId, 2);
    const result = await addPhotos(listingId, 1, 2);
    expect(result.data?.addListingPhotos.listing.photos.map((p) => [p.url, p.position])).toEqual([
      ["https://img.example.test/0.jpg", 0],
      ["https://img.example.test/1.jpg", 1],
      ["https://img.example.test/2.jpg", 2],
    ]);
  });

  it("allows 50 photos and refuses the 51st", async () => {
    const listingId = await draft();
    expect(codeOf(await addPhotos(listingId, 50))).toBeUndefined();
    const over = await addPhotos(listingId, 1, 50);
    expect(codeOf(over)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(over)[0]?.path).toBe("photos");
    expect(await t.app.db.listingPhoto.count({ where: { listingId: idOf(listingId) } })).toBe(50);
  });

  it("refuses more than 50 in one call, none at all, and non-http(s) URLs", async () => {
    const listingId = await draft();
    expect(fieldsOf(await addPhotos(listingId, 51))).toEqual([
      { path: "photos", message: "must add at most 50 photos" },
    ]);
    expect(fieldsOf(await addPhotos(listingId, 0))).toEqual([
      { path: "photos", message: "must add at least one photo" },
    ]);
    const bad = await host.client.request(AddListingPhotosDocument, {
      input: { listingId, photos: [photo(1), { url: "ftp://img.example.test/x.jpg" }] },
    });
    expect(fieldsOf(bad)).toEqual([{ path: "photos.1.url", message: "must be an http(s) URL" }]);
  });

  it("keeps the limit under concurrent additions", async () => {
    const listingId = await draft();
    await addPhotos(listingId, 45);
    const results = await Promise.all([addPhotos(listingId, 4, 100), addPhotos(listingId, 4, 200)]);
    expect(results.map(codeOf).sort()).toEqual(["BAD_USER_INPUT", undefined]);
    const positions = (await t.app.db.listingPhoto.findMany({ where: { listingId: idOf(listingId) } })).map(
      (p) => p.position,
    );
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i));
  });

  it("reorders by a full permutation and refuses anything else", async () => {
    const listingId = await draft();
    const ids = (await addPhotos(listingId, 3)).data?.addListingPhotos.listing.photos.map((p) => p.id) ?? [];
    const [a, b, c] = ids as [string, string, string];
    const reordered = await host.client.ok(ReorderListingPhotosDocument, {
      input: { listingId, photoIds: [c, a, b] },
    });
    expect(reordered.reorderListingPhotos.listing.photos.map((p) => p.id)).toEqual([c, a, b]);
    for (const photoIds of [
      [a, b],
      [a, a, b],
      [a, b, c, c],
      [a, b, listingId],
    ]) {
      const result = await host.client.request(ReorderListingPhotosDocument, {
        input: { listingId, photoIds },
      });
      expect(fieldsOf(result)).toEqual([
        { path: "photoIds", message: "must list every photo of the listing exactly once" },
      ]);
    }
  });

  it("removes a photo and closes the gap; NOT_FOUND for a photo of another listing", async () => {
    const listingId = await draft();
    const otherId = await draft();
    const ids = (await addPhotos(listingId, 3)).data?.addListingPhotos.listing.photos.map((p) => p.id) ?? [];
    const otherPhoto = (await addPhotos(otherId, 1)).data?.addListingPhotos.listing.photos[0]?.id ?? "";
    const removed = await host.client.ok(RemoveListingPhotoDocument, {
      input: { listingId, photoId: ids[1] ?? "" },
    });
    expect(removed.removeListingPhoto.listing.photos.map((p) => [p.id, p.position])).toEqual([
      [ids[0], 0],
      [ids[2], 1],
    ]);
    const wrong = await host.client.request(RemoveListingPhotoDocument, {
      input: { listingId, photoId: otherPhoto },
    });
    expect(codeOf(wrong)).toBe("NOT_FOUND");
  });

  it("refuses photo URLs that point inside the network, however they are spelled", async () => {
    const listingId = await draft();
    const urls = [
      "http://169.254.169.254/latest/meta-data/",
      "http://2852039166/latest/meta-data/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://10.0.0.8/a.jpg",
      "http://localhost:8080/a.jpg",
      "http://metadata.google.internal/",
    ];
    const result = await host.client.request(AddListingPhotosDocument, {
      input: { listingId, photos: urls.map((url) => ({ url })) },
    });
    expect(fieldsOf(result)).toEqual(
      urls.map((_, index) => ({ path: `photos.${index}.url`, message: "must point to a public host" })),
    );
    expect(await t.app.db.listingPhoto.count({ where: { listingId: idOf(listingId) } })).toBe(0);
  });

  it("shows a draft's photos through node(id) only to its host", async () => {
    const listingId = await draft();
    const [photoOfDraft] = (await addPhotos(listingId, 1)).data?.addListingPhotos.listing.photos ?? [];
    const id = photoOfDraft?.id ?? "";
    const listed = await factories(t).listing({ id: host.id }).listed().create();
    const { id: listedPhotoId } = await t.app.db.listingPhoto.findFirstOrThrow({
      where: { listingId: listed.id },
    });
    const stranger = await factories(t).user().create();
    type NodeData = { node: { id: string; url?: string } | null };
    type NodesData = { nodes: Array<{ id: string } | null> };
    const node = "query ($id: ID!) { node(id: $id) { id ... on Photo { url } } }";
    const nodes = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }";

    for (const client of [t.client, stranger.client]) {
      expect(codeOf(await client.request<NodeData, { id: string }>(node, { id }))).toBe("NOT_FOUND");
      expect((await client.ok<NodesData, { ids: string[] }>(nodes, { ids: [id] })).nodes).toEqual([null]);
      // A listed listing's photos are public.
      const publicPhoto = encodeGlobalId("Photo", listedPhotoId);
      expect((await client.ok<NodeData, { id: string }>(node, { id: publicPhoto })).node?.id).toBe(
        publicPhoto,
      );
    }
    const own = await host.client.ok<NodeData, { id: string }>(node, { id });
    expect(own.node).toEqual({ id, url: photoOfDraft?.url });
  });

  it("lets only the host change photos", async () => {
    const listed = await factories(t).listing({ id: host.id }).listed().create();
    const stranger = await factories(t).user().create();
    const result = await stranger.client.request(AddListingPhotosDocument, {
      input: { listingId: encodeGlobalId("Listing", listed.id), photos: [photo(1)] },
    });
    expect(codeOf(result)).toBe("FORBIDDEN");
  });
});

describe("publishing", () => {
  it("refuses an incomplete listing, naming each missing item", async () => {
    const listingId = await draft({ description: "" });
    const result = await host.client.request(PublishListingDocument, { input: { listingId } });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(
      fieldsOf(result)
        .map((field) => field.path)
        .sort(),
    ).toEqual(["description", "photos"]);
  });

  it("publishes, unpublishes and republishes; publishedAt is kept from the first time", async () => {
    const listingId = await draft();
    await addPhotos(listingId, 1);
    const published = (await host.client.ok(PublishListingDocument, { input: { listingId } })).publishListing
      .listing;
    expect(published.status).toBe("LISTED");
    const stranger = await factories(t).user().create();
    expect((await stranger.client.ok(ListingDocument, { id: listingId })).listing?.status).toBe("LISTED");

    const unpublished = await host.client.ok(UnpublishListingDocument, { input: { listingId } });
    expect(unpublished.unpublishListing.listing.status).toBe("UNLISTED");
    expect(codeOf(await stranger.client.request(ListingDocument, { id: listingId }))).toBe("NOT_FOUND");

    const again = (await host.client.ok(PublishListingDocument, { input: { listingId } })).publishListing
      .listing;
    expect(again.publishedAt).toBe(published.publishedAt);
  });

  it("answers INVALID_STATE for unpublishing a draft and publishing a suspended listing", async () => {
    const listingId = await draft();
    expect(codeOf(await host.client.request(UnpublishListingDocument, { input: { listingId } }))).toBe(
      "INVALID_STATE",
    );
    await t.app.db.listing.update({ where: { id: idOf(listingId) }, data: { status: "SUSPENDED" } });
    await addPhotos(listingId, 1);
    expect(codeOf(await host.client.request(PublishListingDocument, { input: { listingId } }))).toBe(
      "INVALID_STATE",
    );
  });

  it("keeps the last photo of a listed listing", async () => {
    const listingId = await draft();
    const [only] = (await addPhotos(listingId, 1)).data?.addListingPhotos.listing.photos ?? [];
    await host.client.ok(PublishListingDocument, { input: { listingId } });
    const result = await host.client.request(RemoveListingPhotoDocument, {
      input: { listingId, photoId: only?.id ?? "" },
    });
    expect(fieldsOf(result)[0]?.path).toBe("photoId");
  });

  it("invalidates the listing's cache and the search pages around it, not those elsewhere", async () => {
    const listingId = await draft();
    await addPhotos(listingId, 1);
    let loads = 0;
    const page = (lat: number, lng: number) => searchPageTags({ near: { lat, lng, radiusMeters: 20_000 } });
    const read = (tags: string[], key: string) => t.app.cache.getOrLoad(tags, key, async () => ++loads);
    const lisbon = () => read(page(38.72, -9.14), "lisbon");
    const tokyo = () => read(page(35.68, 139.69), "tokyo");
    expect([await lisbon(), await tokyo()]).toEqual([1, 2]);
    expect([await lisbon(), await tokyo()]).toEqual([1, 2]);
    await host.client.ok(PublishListingDocument, { input: { listingId } });
    expect([await lisbon(), await tokyo()]).toEqual([3, 2]);
    const listingRead = () =>
      t.app.cache.getOrLoad([listingCacheTags.listing(idOf(listingId))], "probe", async () => ++loads);
    const before = await listingRead();
    await host.client.ok(UnpublishListingDocument, { input: { listingId } });
    expect(await listingRead()).not.toBe(before);
  });
});
