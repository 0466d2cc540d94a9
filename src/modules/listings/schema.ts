// Listings in the schema, read side: the Listing node with its photos, amenities and address,
// the listing page, the amenity catalog and hosts' listings.
import type { Listing } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { notFound } from "../../core/errors.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { requireActor } from "../../graphql/actor.ts";
import { hashOf } from "../../infra/cache.ts";
import { listingCacheTags } from "./cache-tags.ts";
import { UserRef } from "../accounts/schema.ts";
import { money } from "../pricing/money.ts";
import { MoneyRef } from "../pricing/schema.ts";
import { canManageListing, canViewListing, visibleListingsWhere } from "./access.ts";
import { CancellationPolicyEnum, ListingStatusEnum, PropertyTypeEnum, RoomTypeEnum } from "./enums.ts";

export const AmenityRef = builder.prismaObject("Amenity", {
  fields: (t) => ({
    code: t.exposeString("code"),
    name: t.exposeString("name"),
    category: t.exposeString("category"),
  }),
});

export const PhotoRef = builder.prismaNode("ListingPhoto", {
  name: "Photo",
  id: { field: "id" },
  // node(id): a photo is as visible as its listing (a draft's photos only to its host and admins).
  findUnique: (id, ctx) => ({ id, listing: visibleListingsWhere(ctx.actor) }),
  fields: (t) => ({
    url: t.exposeString("url"),
    caption: t.exposeString("caption", { nullable: true }),
    position: t.exposeInt("position"),
  }),
});

interface AddressShape {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  exact: boolean;
}

const AddressRef = builder.objectRef<AddressShape>("Address").implement({
  description: "Street lines are shown to the host and admins only; everyone sees city, region and country.",
  fields: (t) => ({
    line1: t.string({ nullable: true, resolve: (a) => (a.exact ? a.line1 : null) }),
    line2: t.string({ nullable: true, resolve: (a) => (a.exact ? a.line2 : null) }),
    city: t.exposeString("city"),
    region: t.exposeString("region", { nullable: true }),
    postalCode: t.string({ nullable: true, resolve: (a) => (a.exact ? a.postalCode : null) }),
    country: t.exposeString("country", { description: "ISO 3166-1 alpha-2." }),
  }),
});

const LocationRef = builder.objectRef<{ lat: number; lng: number }>("Location").implement({
  fields: (t) => ({ lat: t.exposeFloat("lat"), lng: t.exposeFloat("lng") }),
});

export const ListingRef = builder.prismaNode("Listing", {
  id: { field: "id" },
  // node(id): drafts and unlisted listings read as missing for all but their host and admins.
  findUnique: (id, ctx) => ({ ...visibleListingsWhere(ctx.actor), id }),
  select: { hostId: true, status: true },
  fields: (t) => ({
    title: t.exposeString("title"),
    description: t.exposeString("description"),
    propertyType: t.expose("propertyType", { type: PropertyTypeEnum }),
    roomType: t.expose("roomType", { type: RoomTypeEnum }),
    status: t.expose("status", { type: ListingStatusEnum }),
    address: t.field({
      type: AddressRef,
      select: {
        addressLine1: true,
        addressLine2: true,
        city: true,
        region: true,
        postalCode: true,
        country: true,
      },
      resolve: (listing, _args, ctx) => ({
        line1: listing.addressLine1,
        line2: listing.addressLine2,
        city: listing.city,
        region: listing.region,
        postalCode: listing.postalCode,
        country: listing.country,
        exact: canManageListing(ctx.actor, listing),
      }),
    }),
    location: t.field({
      type: LocationRef,
      select: { lat: true, lng: true },
      resolve: (listing) => ({ lat: listing.lat, lng: listing.lng }),
    }),
    timeZone: t.exposeString("timeZone"),
    maxGuests: t.exposeInt("maxGuests"),
    bedrooms: t.exposeInt("bedrooms"),
    beds: t.exposeInt("beds"),
    bathrooms: t.exposeFloat("bathrooms"),
    currency: t.exposeString("currency"),
    nightlyPrice: t.field({
      type: MoneyRef,
      select: { nightlyPrice: true, currency: true },
      resolve: (listing) => money(listing.nightlyPrice, listing.currency),
    }),
    cleaningFee: t.field({
      type: MoneyRef,
      select: { cleaningFee: true, currency: true },
      resolve: (listing) => money(listing.cleaningFee, listing.currency),
    }),
    weeklyDiscountPercent: t.exposeInt("weeklyDiscountPct"),
    monthlyDiscountPercent: t.exposeInt("monthlyDiscountPct"),
    minNights: t.exposeInt("minNights"),
    maxNights: t.exposeInt("maxNights"),
    instantBook: t.exposeBoolean("instantBook"),
    cancellationPolicy: t.expose("cancellationPolicy", { type: CancellationPolicyEnum }),
    houseRules: t.exposeString("houseRules", { nullable: true }),
    checkInTime: t.exposeString("checkInTime"),
    checkOutTime: t.exposeString("checkOutTime"),
    host: t.relation("host"),
    photos: t.relation("photos", { query: { orderBy: [{ position: "asc" }, { id: "asc" }] } }),
    amenities: t.field({
      type: [AmenityRef],
      select: { amenities: { select: { amenity: true }, orderBy: { amenity: { position: "asc" } } } },
      resolve: (listing) => listing.amenities.map((link) => link.amenity),
    }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  amenities: t.prismaField({
    type: ["Amenity"],
    description: "The amenity catalog, in display order.",
    resolve: (query, _root, _args, ctx) =>
      ctx.app.db.amenity.findMany({ ...query, orderBy: { position: "asc" } }),
  }),
  listing: t.prismaField({
    type: "Listing",
    nullable: true,
    description: "A listing by id. NOT_FOUND for drafts and unlisted listings of other hosts.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = decodeIdOf("Listing", args.id, "Listing");
      // The listing page is cached per selection; visibility is checked on every read. It may come
      // from the replica, unless the viewer just wrote (infra/read-routing.ts).
      const listing = await ctx.app.reads.read(ctx.actor?.userId, (source) =>
        ctx.app.cache.getOrLoad(
          [listingCacheTags.listing(id)],
          `page:${hashOf(query)}`,
          () => source.db.listing.findUnique({ ...query, where: { id } }),
          { lagMs: source.lagMs },
        ),
      );
      if (!listing || !canViewListing(ctx.actor, listing)) throw notFound("Listing");
      return listing;
    },
  }),
}));

export const ListingPayload = (name: string) =>
  builder.objectRef<{ listing: Listing }>(name).implement({
    fields: (t) => ({ listing: t.field({ type: ListingRef, resolve: (payload) => payload.listing }) }),
  });

builder.queryField("myListings", (t) =>
  t.prismaConnection(
    {
      type: "Listing",
      cursor: "id",
      description: "The signed-in host's listings in every status, newest first.",
      authScopes: { authenticated: true },
      totalCount: (_parent, _args, ctx) =>
        ctx.app.db.listing.count({ where: { hostId: requireActor(ctx).userId } }),
      resolve: (query, _root, _args, ctx) =>
        ctx.app.db.listing.findMany({
          ...query,
          where: { hostId: requireActor(ctx).userId },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "MyListingsConnection" },
    { name: "MyListingsEdge" },
  ),
);

builder.prismaObjectField(UserRef, "listings", (t) =>
  t.relatedConnection(
    "listings",
    {
      cursor: "id",
      description: "The user's listings visible to the caller: LISTED ones, or all for the user and admins.",
      totalCount: true,
      query: (_args, ctx) => ({
        where: visibleListingsWhere(ctx.actor),
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
    },
    { name: "UserListingsConnection" },
    { name: "UserListingsEdge" },
  ),
);
