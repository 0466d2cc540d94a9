// Wishlists: a user's private, named lists of saved listings. The rules live here: at most
// WISHLISTS_MAX lists a user (counted under a lock on the user's row, so concurrent creates
// cannot pass it), names unique per user (the database's unique index decides), adding twice
// changes nothing, and a listing the owner could not see cannot be saved.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { AppError, invalidState, notFound } from "../../core/errors.ts";
import type { Prisma, Wishlist } from "../../generated/prisma/client.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { canViewListing } from "../listings/access.ts";

export const WISHLISTS_MAX = 100;
export const WISHLIST_NAME_MAX = 50;

/**
 * The wishlists an actor may see: their own only (private, admins included). A filter on the
 * owner alone, so callers may add `id` to it without widening it.
 */
export function ownWishlistsWhere(actor: UserActor | null | undefined): Prisma.WishlistWhereInput {
  return { userId: actor ? actor.userId : { in: [] } };
}

/** The caller's lists as they are shown: newest first. */
export const wishlistsOrder = [
  { createdAt: "desc" },
  { id: "desc" },
] satisfies Prisma.WishlistOrderByWithRelationInput[];

export async function createWishlist(actor: UserActor, input: { name: string }, app: App): Promise<Wishlist> {
  const name = input.name.trim();
  return unitOfWork(
    app,
    async (tx) => {
      // One creator at a time per user: the count below is then the truth until commit.
      await tx.$queryRaw`SELECT id FROM users WHERE id = ${actor.userId}::uuid FOR NO KEY UPDATE`;
      const count = await tx.wishlist.count({ where: { userId: actor.userId } });
      if (count >= WISHLISTS_MAX) {
        throw invalidState(`A user has at most ${WISHLISTS_MAX} wishlists; remove one first`);
      }
      return tx.wishlist.create({ data: { userId: actor.userId, name } });
    },
    { errors: { unique: new AppError("CONFLICT", "You already have a wishlist with this name") } },
  );
}

interface WishlistItemInput {
  wishlistId: string;
  listingId: string;
}

/** The caller's wishlist, locked for the rest of the transaction; NOT_FOUND for anyone else's. */
async function ownWishlist(tx: Tx, actor: UserActor, wishlistId: string): Promise<Wishlist> {
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM wishlists WHERE id = ${wishlistId}::uuid AND user_id = ${actor.userId}::uuid
    FOR NO KEY UPDATE`;
  if (!row) throw notFound("Wishlist");
  return tx.wishlist.findUniqueOrThrow({ where: { id: row.id } });
}

/**
 * Saves a listing. Adding one already saved is a no-op that keeps its place (even if the
 * listing has since been unlisted); a new one must be visible to the caller (NOT_FOUND).
 */
export async function addToWishlist(actor: UserActor, input: WishlistItemInput, app: App): Promise<Wishlist> {
  return unitOfWork(app, async (tx) => {
    const wishlist = await ownWishlist(tx, actor, input.wishlistId);
    const key = { wishlistId_listingId: { wishlistId: wishlist.id, listingId: input.listingId } };
    if (await tx.wishlistItem.findUnique({ where: key })) return wishlist;
    const listing = await tx.listing.findUnique({
      where: { id: input.listingId },
      select: { hostId: true, status: true },
    });
    if (!listing || !canViewListing(actor, listing)) throw notFound("Listing");
    // The wishlist's lock serializes adds to it; DO NOTHING covers any race left.
    await tx.wishlistItem.createMany({
      data: [{ wishlistId: wishlist.id, listingId: input.listingId }],
      skipDuplicates: true,
    });
    return wishlist;
  });
}

/** Removes a listing; one that is not in the list (or not visible any more) is no error. */
export async function removeFromWishlist(
  actor: UserActor,
  input: WishlistItemInput,
  app: App,
): Promise<Wishlist> {
  return unitOfWork(app, async (tx) => {
    const wishlist = await ownWishlist(tx, actor, input.wishlistId);
    await tx.wishlistItem.deleteMany({ where: { wishlistId: wishlist.id, listingId: input.listingId } });
    return wishlist;
  });
}
