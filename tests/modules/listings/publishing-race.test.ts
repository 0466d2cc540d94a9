// publishListing racing removeListingPhoto of the last photo, over a real port: whichever
// wins, a LISTED listing keeps at least one photo (both lock the listing row and re-check).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ListingDocument,
  PublishListingDocument,
  RemoveListingPhotoDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";

let t: TestApp;
let host: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().host().create();
});
afterAll(() => t.close());

describe("publishListing against removeListingPhoto of the last photo", () => {
  it("never leaves a LISTED listing without a photo (20 rounds)", async () => {
    for (let round = 0; round < 20; round++) {
      const listing = await factories(t).listing(host).photos(1).create();
      const photo = await t.app.db.listingPhoto.findFirstOrThrow({ where: { listingId: listing.id } });
      const listingId = encodeGlobalId("Listing", listing.id);
      const [published, removed] = await Promise.all([
        host.client.request(PublishListingDocument, { input: { listingId } }),
        host.client.request(RemoveListingPhotoDocument, {
          input: { listingId, photoId: encodeGlobalId("Photo", photo.id) },
        }),
      ]);
      const after = await t.app.db.listing.findUniqueOrThrow({
        where: { id: listing.id },
        select: { status: true, _count: { select: { photos: true } } },
      });
      if (after.status === "LISTED") expect(after._count.photos, `round ${round}`).toBeGreaterThan(0);
      else expect(after.status).toBe("DRAFT");
      // What an anonymous guest sees agrees.
      const publicView = await t.client.request(ListingDocument, { id: listingId });
      if (after.status === "LISTED") expect(publicView.data?.listing?.photos.length).toBeGreaterThan(0);
      else expect(codeOf(publicView)).toBe("NOT_FOUND");
      // Exactly one wins: publishing first keeps the photo, removing first refuses to publish.
      expect([codeOf(published), codeOf(removed)].sort()).toEqual(["BAD_USER_INPUT", undefined]);
    }
  });
});
