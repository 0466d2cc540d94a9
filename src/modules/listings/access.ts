// Who may see and change a listing: one rule, used by every listing field and mutation.
import type { Viewer } from "../../context.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

interface ListingOwnership {
  hostId: string;
  status: string;
}

/** LISTED listings are public; drafts, unlisted and suspended ones only for their host and admins. */
export function canViewListing(viewer: Viewer | null, listing: ListingOwnership): boolean {
  return listing.status === "LISTED" || canManageListing(viewer, listing);
}

export function canManageListing(viewer: Viewer | null, listing: { hostId: string }): boolean {
  return viewer !== null && (viewer.id === listing.hostId || viewer.role === "ADMIN");
}

/** The same rule as a query filter. */
export function visibleListingsWhere(viewer: Viewer | null): Prisma.ListingWhereInput {
  if (viewer?.role === "ADMIN") return {};
  return viewer ? { OR: [{ status: "LISTED" }, { hostId: viewer.id }] } : { status: "LISTED" };
}
