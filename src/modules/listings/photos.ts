// A listing's photos: appended in order, removed and reordered with dense positions, 50 at most.
// The caller has been authorized as the listing's host (the `listingOwner` scope).
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { badInput, notFound } from "../../core/errors.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { audit, invalidateListingAfterCommit, lockedListing } from "./service.ts";
import { LIMITS } from "./validation.ts";

export async function addListingPhotos(
  actor: UserActor,
  input: { listingId: string; photos: ReadonlyArray<{ url: string; caption?: string | null }> },
  app: App,
): Promise<Listing> {
  const { listingId, photos } = input;
  return unitOfWork(app, async (tx, effects) => {
    const listing = await lockedListing(tx, listingId);
    const existing = await tx.listingPhoto.count({ where: { listingId } });
    if (existing + photos.length > LIMITS.photosMax) {
      throw badInput([
        { path: "photos", message: `a listing has at most ${LIMITS.photosMax} photos (it has ${existing})` },
      ]);
    }
    await tx.listingPhoto.createMany({
      data: photos.map((photo, index) => ({
        listingId,
        url: photo.url,
        caption: photo.caption?.trim() || null,
        position: existing + index,
      })),
    });
    await audit(tx, actor, "listing.photos_added", listingId, { count: photos.length });
    invalidateListingAfterCommit(effects, app, listing);
    return listing;
  });
}

/** Removes a photo; a LISTED listing keeps its last one (publishing locks the same row). */
export async function removeListingPhoto(
  actor: UserActor,
  input: { listingId: string; photoId: string },
  app: App,
): Promise<Listing> {
  const { listingId, photoId } = input;
  return unitOfWork(app, async (tx, effects) => {
    // Status and photos are read after the lock, so a concurrent publish cannot slip between.
    const listing = await lockedListing(tx, listingId);
    const photos = await tx.listingPhoto.findMany({ where: { listingId }, orderBy: { position: "asc" } });
    if (!photos.some((photo) => photo.id === photoId)) throw notFound("Photo");
    if (photos.length === 1 && listing.status === "LISTED") {
      throw badInput([
        { path: "photoId", message: "a listed listing keeps at least one photo; unpublish it first" },
      ]);
    }
    await tx.listingPhoto.delete({ where: { id: photoId } });
    await renumber(
      tx,
      photos.filter((photo) => photo.id !== photoId).map((photo) => photo.id),
    );
    await audit(tx, actor, "listing.photo_removed", listingId, { photoId });
    invalidateListingAfterCommit(effects, app, listing);
    return listing;
  });
}

/** photoIds must name every photo of the listing exactly once, in the new order. */
export async function reorderListingPhotos(
  actor: UserActor,
  input: { listingId: string; photoIds: readonly string[] },
  app: App,
): Promise<Listing> {
  const { listingId, photoIds } = input;
  return unitOfWork(app, async (tx, effects) => {
    const listing = await lockedListing(tx, listingId);
    const photos = await tx.listingPhoto.findMany({ where: { listingId }, select: { id: true } });
    const current = new Set(photos.map((photo) => photo.id));
    const isPermutation =
      photoIds.length === current.size &&
      new Set(photoIds).size === photoIds.length &&
      photoIds.every((id) => current.has(id));
    if (!isPermutation) {
      throw badInput([{ path: "photoIds", message: "must list every photo of the listing exactly once" }]);
    }
    await renumber(tx, photoIds);
    await audit(tx, actor, "listing.photos_reordered", listingId);
    invalidateListingAfterCommit(effects, app, listing);
    return listing;
  });
}

async function renumber(tx: Tx, orderedIds: readonly string[]): Promise<void> {
  await Promise.all(
    orderedIds.map((id, position) => tx.listingPhoto.update({ where: { id }, data: { position } })),
  );
}
