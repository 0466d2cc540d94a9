// Listings: create and edit, publish and unpublish. The caller has been authorized on the
// schema (the `listingOwner` scope); each use case is one unit of work that locks the row
// its decision depends on, writes its audit row, and drops cached reads after commit.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { badInput, type FieldError, invalidState, notFound } from "../../core/errors.ts";
import type { Db } from "../../infra/db.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import type { Listing, Prisma } from "../../generated/prisma/client.ts";
import type { CancellationPolicy, PropertyType, RoomType } from "../../generated/prisma/enums.ts";
import { listingWriteTags } from "./cache-tags.ts";
import { currencyIssues, listedIssues, nightsIssues, priceIssues, publishIssues } from "./rules.ts";

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

export async function createListing(actor: UserActor, input: ListingFieldsInput, app: App): Promise<Listing> {
  const missing: FieldError[] = REQUIRED_ON_CREATE.filter((field) => input[field] == null).map((path) => ({
    path,
    message: "is required",
  }));
  if (missing.length) throw badInput(missing);
  const amenityCodes = await checkAmenityCodes(app.db, input.amenityCodes);
  // A new draft is in no cached read (not in search, its id never asked for): nothing to drop.
  return unitOfWork(app, async (tx) => {
    const created = await tx.listing.create({
      data: {
        ...(columnsOf(input) as Prisma.ListingUncheckedCreateInput),
        hostId: actor.userId,
        status: "DRAFT",
        amenities: amenityCodes
          ? { create: amenityCodes.map((amenityCode) => ({ amenityCode })) }
          : undefined,
      },
    });
    // A user becomes a host with their first listing.
    await tx.user.updateMany({ where: { id: actor.userId, role: "GUEST" }, data: { role: "HOST" } });
    await audit(tx, actor, "listing.created", created.id);
    return created;
  });
}

/**
 * Changes the given fields. Rules that depend on what is stored are checked on the locked
 * row: nights across stored and new values, the publish rules while LISTED, and the
 * currency while amounts or live bookings are in the old one.
 */
export async function updateListing(
  actor: UserActor,
  input: ListingFieldsInput & { listingId: string },
  app: App,
): Promise<Listing> {
  const { listingId } = input;
  const amenityCodes = await checkAmenityCodes(app.db, input.amenityCodes);
  return unitOfWork(app, async (tx, effects) => {
    const current = await lockedListing(tx, listingId);
    const issues = [
      ...nightsIssues(current, input),
      ...priceIssues(current, input),
      ...listedIssues(current, input),
      ...(await currencyIssues(tx, current, input, app)),
    ];
    if (issues.length) throw badInput(issues);
    if (amenityCodes) {
      await tx.listingAmenity.deleteMany({ where: { listingId } });
      await tx.listingAmenity.createMany({
        data: amenityCodes.map((amenityCode) => ({ listingId, amenityCode })),
      });
    }
    const listing = await tx.listing.update({ where: { id: listingId }, data: columnsOf(input) });
    await audit(tx, actor, "listing.updated", listingId);
    invalidateListingAfterCommit(effects, app, listing, current);
    return listing;
  });
}

/** DRAFT or UNLISTED → LISTED. Needs a description and at least one photo. */
export async function publishListing(
  actor: UserActor,
  input: { listingId: string },
  app: App,
): Promise<Listing> {
  const { listingId } = input;
  return unitOfWork(app, async (tx, effects) => {
    // Locked: a photo removal waits, so the photos counted here are still there at commit.
    const listing = await lockedListing(tx, listingId);
    if (listing.status === "LISTED") return listing;
    if (listing.status === "SUSPENDED") throw invalidState("A suspended listing cannot be published");
    const missing = publishIssues(listing, await tx.listingPhoto.count({ where: { listingId } }));
    if (missing.length) throw badInput(missing, "The listing is not ready to publish");
    const published = await tx.listing.update({
      where: { id: listingId },
      data: { status: "LISTED", publishedAt: listing.publishedAt ?? app.clock.now() },
    });
    await audit(tx, actor, "listing.published", listingId);
    invalidateListingAfterCommit(effects, app, published);
    return published;
  });
}

/** LISTED → UNLISTED: hidden from search and from guests, kept for its host. */
export async function unpublishListing(
  actor: UserActor,
  input: { listingId: string },
  app: App,
): Promise<Listing> {
  const { listingId } = input;
  return unitOfWork(app, async (tx, effects) => {
    const listing = await lockedListing(tx, listingId);
    if (listing.status === "UNLISTED") return listing;
    if (listing.status !== "LISTED") throw invalidState(`A ${listing.status} listing is not published`);
    const unpublished = await tx.listing.update({ where: { id: listingId }, data: { status: "UNLISTED" } });
    await audit(tx, actor, "listing.unpublished", listingId);
    invalidateListingAfterCommit(effects, app, unpublished);
    return unpublished;
  });
}

/**
 * Inside a unit of work that changes a listing: its cached reads and the search pages around
 * where it is (and was, when it moved) go after commit.
 */
export function invalidateListingAfterCommit(
  effects: Effects,
  app: Pick<App, "cache">,
  listing: { id: string; lat: number; lng: number },
  previous?: { lat: number; lng: number },
): void {
  const tags = listingWriteTags(listing.id, listing, ...(previous ? [previous] : []));
  effects.afterCommit(() => app.cache.invalidate(...tags));
}

/** Serializes changes per listing (status, photos, calendar) so the rules read hold at commit. */
export async function lockListing(tx: Tx, listingId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM listings WHERE id = ${listingId}::uuid FOR UPDATE`;
}

/** The listing row, locked for the rest of the transaction and read after the lock. */
export async function lockedListing(tx: Tx, listingId: string): Promise<Listing> {
  await lockListing(tx, listingId);
  const listing = await tx.listing.findUnique({ where: { id: listingId } });
  if (!listing) throw notFound("Listing");
  return listing;
}

async function checkAmenityCodes(db: Db, codes: readonly string[] | null | undefined) {
  if (codes == null) return undefined;
  const unique = [...new Set(codes)];
  const known = await db.amenity.findMany({
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

/** The audit row of a listing change, written in the change's own transaction. */
export async function audit(
  tx: Tx,
  actor: UserActor,
  action: string,
  listingId: string,
  data: Prisma.InputJsonObject = {},
): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: actor.userId,
      action,
      entityType: "Listing",
      entityId: listingId,
      data,
      ip: actor.origin?.ip ?? null,
      requestId: actor.origin?.requestId ?? null,
    },
  });
}
