// Who may see and change a listing: one rule, used by every listing field and mutation,
// and the `listingOwner` auth scope that mutations declare (batched per request).
import DataLoader from "dataloader";
import { createContextCache } from "@pothos/core";
import type { App } from "../../app.ts";
import type { Context } from "../../context.ts";
import { isAdmin, type MaybeActor } from "../../core/actor.ts";
import { notFound } from "../../core/errors.ts";
import type { ListingStatus } from "../../generated/prisma/enums.ts";
import type { Listing, Prisma } from "../../generated/prisma/client.ts";

export interface ListingOwnership {
  hostId: string;
  status: ListingStatus | string;
}

/** LISTED listings are public; drafts, unlisted and suspended ones only for their host and admins. */
export function canViewListing(actor: MaybeActor, listing: ListingOwnership): boolean {
  return listing.status === "LISTED" || canManageListing(actor, listing);
}

export function canManageListing(actor: MaybeActor, listing: { hostId: string }): boolean {
  return isAdmin(actor) || (actor?.kind === "user" && actor.userId === listing.hostId);
}

/** The same rule as a query filter. */
export function visibleListingsWhere(actor: MaybeActor): Prisma.ListingWhereInput {
  if (isAdmin(actor)) return {};
  return actor?.kind === "user"
    ? { OR: [{ status: "LISTED" }, { hostId: actor.userId }] }
    : { status: "LISTED" };
}

/** The listing if the caller may see it; NOT_FOUND otherwise, so drafts do not leak. */
export async function viewableListing(
  actor: MaybeActor,
  listingId: string,
  app: Pick<App, "db">,
): Promise<Listing> {
  const listing = await app.db.listing.findUnique({ where: { id: listingId } });
  if (!listing || !canViewListing(actor, listing)) throw notFound("Listing");
  return listing;
}

const ownershipLoader = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, ListingOwnership | null>(async (ids) => {
      const rows = await ctx.app.db.listing.findMany({
        where: { id: { in: [...ids] } },
        select: { id: true, hostId: true, status: true },
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
);

/**
 * The `listingOwner` scope: true for the listing's host and admins. A listing the caller
 * cannot even see is NOT_FOUND (so drafts do not leak); anonymous callers are refused
 * (UNAUTHENTICATED) before anything is read.
 */
export async function isListingOwner(ctx: Context, listingId: string): Promise<boolean> {
  if (!ctx.actor) return false;
  const listing = await ownershipLoader(ctx).load(listingId);
  if (!listing || !canViewListing(ctx.actor, listing)) throw notFound("Listing");
  return canManageListing(ctx.actor, listing);
}
