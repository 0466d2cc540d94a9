// A listing's photos: appended in order, removed and reordered with dense positions, 50 at most.
import type { Prisma } from "../../generated/prisma/client.ts";
import { badInput, notFound } from "../../core/errors.ts";
import type { AuthedContext } from "../../graphql/viewer.ts";
import { invalidateListing, lockListing, manageableListing } from "./service.ts";
import { LIMITS } from "./validation.ts";

export async function addListingPhotos(
  ctx: AuthedContext,
  listingId: string,
  photos: ReadonlyArray<{ url: string; caption?: string | null }>,
): Promise<void> {
  await manageableListing(ctx, listingId);
  await ctx.app.db.$transaction(async (tx) => {
    await lockListing(tx, listingId);
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
  });
  await invalidateListing(ctx, listingId);
}

export async function removeListingPhoto(
  ctx: AuthedContext,
  listingId: string,
  photoId: string,
): Promise<void> {
  const listing = await manageableListing(ctx, listingId);
  await ctx.app.db.$transaction(async (tx) => {
    await lockListing(tx, listingId);
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
  });
  await invalidateListing(ctx, listingId);
}

/** photoIds must name every photo of the listing exactly once, in the new order. */
export async function reorderListingPhotos(
  ctx: AuthedContext,
  listingId: string,
  photoIds: readonly string[],
): Promise<void> {
  await manageableListing(ctx, listingId);
  await ctx.app.db.$transaction(async (tx) => {
    await lockListing(tx, listingId);
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
  });
  await invalidateListing(ctx, listingId);
}

async function renumber(tx: Prisma.TransactionClient, orderedIds: readonly string[]): Promise<void> {
  await Promise.all(
    orderedIds.map((id, position) => tx.listingPhoto.update({ where: { id }, data: { position } })),
  );
}
