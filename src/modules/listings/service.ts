// Listings: create and edit, publish and unpublish. Only the host (or an admin)
// changes a listing; every change invalidates the listing's and the search caches.
import type { App } from "../../app.ts";
import type { Context } from "../../context.ts";
import type { Effects } from "../../infra/unit-of-work.ts";
import type { Listing, Prisma } from "../../generated/prisma/client.ts";
import type { CancellationPolicy, PropertyType, RoomType } from "../../generated/prisma/enums.ts";
import { AppError, badInput, type FieldError, forbidden, notFound } from "../../core/errors.ts";
import type { AuthedContext } from "../../graphql/viewer.ts";
import { listingCacheTags } from "./cache-tags.ts";
import { canManageListing, canViewListing } from "./access.ts";

export interface ListingFieldsInput {
  title?: string | null;
  description?: string | null;
  propertyType?: PropertyType | null;
  roomType?: RoomType | null;
  address?: {
    line1: string;
    line2?: string | null;
    city: string;
    region?: string | null;
    postalCode?: string | null;
    country: string;
  } | null;
  location?: { lat: number; lng: number } | null;
  maxGuests?: number | null;
  bedrooms?: number | null;
  beds?: number | null;
  bathrooms?: number | null;
  nightlyPrice?: number | null;
  currency?: string | null;
  cleaningFee?: number | null;
  weeklyDiscountPercent?: number | null;
  monthlyDiscountPercent?: number | null;
  minNights?: number | null;
  maxNights?: number | null;
  instantBook?: boolean | null;
  cancellationPolicy?: CancellationPolicy | null;
  amenityCodes?: readonly string[] | null;
  houseRules?: string | null;
  checkInTime?: string | null;
  checkOutTime?: string | null;
  timeZone?: string | null;
}

type Tx = Prisma.TransactionClient;

const REQUIRED_ON_CREATE = [
  "title",
  "propertyType",
  "roomType",
  "address",
  "location",
  "maxGuests",
  "nightlyPrice",
  "currency",
] as const;

export async function createListing(ctx: AuthedContext, input: ListingFieldsInput): Promise<Listing> {
  const missing: FieldError[] = REQUIRED_ON_CREATE.filter((field) => input[field] == null).map((path) => ({
    path,
    message: "is required",
  }));
  if (missing.length) throw badInput(missing);
  const amenityCodes = await checkAmenityCodes(ctx, input.amenityCodes);
  const data = columnsOf(input);
  const listing = await ctx.app.db.$transaction(async (tx) => {
    const created = await tx.listing.create({
      data: {
        ...(data as Prisma.ListingUncheckedCreateInput),
        hostId: ctx.viewer.id,
        status: "DRAFT",
        amenities: amenityCodes
          ? { create: amenityCodes.map((amenityCode) => ({ amenityCode })) }
          : undefined,
      },
    });
    // A user becomes a host with their first listing.
    await tx.user.updateMany({ where: { id: ctx.viewer.id, role: "GUEST" }, data: { role: "HOST" } });
    await audit(tx, ctx, "listing.created", created.id);
    return created;
  });
  return listing;
}

export async function updateListing(
  ctx: AuthedContext,
  listingId: string,
  input: ListingFieldsInput,
): Promise<Listing> {
  const current = await manageableListing(ctx, listingId);
  const minNights = input.minNights ?? current.minNights;
  const maxNights = input.maxNights ?? current.maxNights;
  if (minNights > maxNights) {
    throw badInput([
      {
        path: input.minNights != null ? "minNights" : "maxNights",
        message: "minNights must not exceed maxNights",
      },
    ]);
  }
  const amenityCodes = await checkAmenityCodes(ctx, input.amenityCodes);
  const updated = await ctx.app.db.$transaction(async (tx) => {
    if (amenityCodes) {
      await tx.listingAmenity.deleteMany({ where: { listingId } });
      await tx.listingAmenity.createMany({
        data: amenityCodes.map((amenityCode) => ({ listingId, amenityCode })),
      });
    }
    const listing = await tx.listing.update({ where: { id: listingId }, data: columnsOf(input) });
    await audit(tx, ctx, "listing.updated", listingId);
    return listing;
  });
  await invalidateListing(ctx, listingId);
  return updated;
}

/** DRAFT or UNLISTED → LISTED. Needs a description and at least one photo. */
export async function publishListing(ctx: AuthedContext, listingId: string): Promise<Listing> {
  const listing = await manageableListing(ctx, listingId);
  if (listing.status === "LISTED") return listing;
  if (listing.status === "SUSPENDED")
    throw new AppError("INVALID_STATE", "A suspended listing cannot be published");
  const photos = await ctx.app.db.listingPhoto.count({ where: { listingId } });
  const missing: FieldError[] = [];
  if (photos === 0) missing.push({ path: "photos", message: "add at least one photo before publishing" });
  if (listing.description.trim() === "")
    missing.push({ path: "description", message: "add a description before publishing" });
  if (missing.length) throw badInput(missing, "The listing is not ready to publish");
  const now = ctx.app.clock.now();
  // Conditional on the status read above, so a concurrent suspension is not overwritten.
  const published = await ctx.app.db.listing.updateMany({
    where: { id: listingId, status: listing.status },
    data: { status: "LISTED", publishedAt: listing.publishedAt ?? now },
  });
  if (published.count === 0) throw new AppError("INVALID_STATE", "The listing changed meanwhile; try again");
  await invalidateListing(ctx, listingId);
  return ctx.app.db.listing.findUniqueOrThrow({ where: { id: listingId } });
}

/** LISTED → UNLISTED: hidden from search and from guests, kept for its host. */
export async function unpublishListing(ctx: AuthedContext, listingId: string): Promise<Listing> {
  const listing = await manageableListing(ctx, listingId);
  if (listing.status === "UNLISTED") return listing;
  if (listing.status !== "LISTED")
    throw new AppError("INVALID_STATE", `A ${listing.status} listing is not published`);
  const changed = await ctx.app.db.listing.updateMany({
    where: { id: listingId, status: "LISTED" },
    data: { status: "UNLISTED" },
  });
  if (changed.count === 0) throw new AppError("INVALID_STATE", "The listing changed meanwhile; try again");
  await invalidateListing(ctx, listingId);
  return ctx.app.db.listing.findUniqueOrThrow({ where: { id: listingId } });
}

/** The listing if the caller may see it; NOT_FOUND otherwise, so drafts do not leak. */
export async function viewableListing(ctx: Context, listingId: string): Promise<Listing> {
  const listing = await ctx.app.db.listing.findUnique({ where: { id: listingId } });
  if (!listing || !canViewListing(ctx.actor, listing)) throw notFound("Listing");
  return listing;
}

/** The listing if the caller may change it: NOT_FOUND when they cannot even see it. */
export async function manageableListing(ctx: Context, listingId: string): Promise<Listing> {
  const listing = await viewableListing(ctx, listingId);
  if (!canManageListing(ctx.actor, listing)) throw forbidden("Only the listing's host can change it");
  return listing;
}

export async function invalidateListing(ctx: Context, listingId: string): Promise<void> {
  await ctx.app.cache.invalidate(listingCacheTags.listing(listingId), listingCacheTags.search);
}

/** Inside a unit of work that changes a listing: its cached reads and every search page go after commit. */
export function invalidateListingAfterCommit(
  effects: Effects,
  app: Pick<App, "cache">,
  listingId: string,
): void {
  effects.afterCommit(() =>
    app.cache.invalidate(listingCacheTags.listing(listingId), listingCacheTags.search),
  );
}

async function checkAmenityCodes(ctx: Context, codes: readonly string[] | null | undefined) {
  if (codes == null) return undefined;
  const unique = [...new Set(codes)];
  const known = await ctx.app.db.amenity.findMany({
    where: { code: { in: unique } },
    select: { code: true },
  });
  const unknown = unique.filter((code) => !known.some((amenity) => amenity.code === code));
  if (unknown.length)
    throw badInput([{ path: "amenityCodes", message: `unknown amenity codes: ${unknown.join(", ")}` }]);
  return unique;
}

/** Maps the API's input to columns; absent fields are left out (unchanged on update). */
function columnsOf(input: ListingFieldsInput): Prisma.ListingUncheckedUpdateInput {
  const columns: Prisma.ListingUncheckedUpdateInput = {
    title: input.title?.trim(),
    description: input.description ?? undefined,
    propertyType: input.propertyType ?? undefined,
    roomType: input.roomType ?? undefined,
    maxGuests: input.maxGuests ?? undefined,
    bedrooms: input.bedrooms ?? undefined,
    beds: input.beds ?? undefined,
    bathrooms: input.bathrooms ?? undefined,
    nightlyPrice: input.nightlyPrice ?? undefined,
    currency: input.currency ?? undefined,
    cleaningFee: input.cleaningFee ?? undefined,
    weeklyDiscountPct: input.weeklyDiscountPercent ?? undefined,
    monthlyDiscountPct: input.monthlyDiscountPercent ?? undefined,
    minNights: input.minNights ?? undefined,
    maxNights: input.maxNights ?? undefined,
    instantBook: input.instantBook ?? undefined,
    cancellationPolicy: input.cancellationPolicy ?? undefined,
    houseRules: input.houseRules === undefined ? undefined : input.houseRules,
    checkInTime: input.checkInTime ?? undefined,
    checkOutTime: input.checkOutTime ?? undefined,
    timeZone: input.timeZone ?? undefined,
  };
  if (input.address) {
    Object.assign(columns, {
      addressLine1: input.address.line1.trim(),
      addressLine2: input.address.line2?.trim() || null,
      city: input.address.city.trim(),
      region: input.address.region?.trim() || null,
      postalCode: input.address.postalCode?.trim() || null,
      country: input.address.country.toUpperCase(),
    });
  }
  if (input.location) Object.assign(columns, { lat: input.location.lat, lng: input.location.lng });
  return columns;
}

/** Serializes changes per listing (photos, calendar) so limits and merges hold. */
export async function lockListing(tx: Tx, listingId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM listings WHERE id = ${listingId}::uuid FOR UPDATE`;
}

async function audit(tx: Tx, ctx: AuthedContext, action: string, listingId: string): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: ctx.viewer.id,
      action,
      entityType: "Listing",
      entityId: listingId,
      ip: ctx.ip,
      requestId: ctx.requestId,
    },
  });
}
