// Listings in the schema: the Listing node with its photos, amenities and address.
import type { Context } from "../../context.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { builder, type SchemaTypes } from "../../graphql/builder.ts";
import { notFound } from "../../graphql/errors.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { requireViewer } from "../../graphql/viewer.ts";
import { cacheNamespaces, hashOf } from "../../infra/cache.ts";
import { UserRef } from "../accounts/schema.ts";
import { money } from "../pricing/money.ts";
import { MoneyRef } from "../pricing/schema.ts";
import { canManageListing, canViewListing, visibleListingsWhere } from "./access.ts";
import { CancellationPolicyEnum, ListingStatusEnum, PropertyTypeEnum, RoomTypeEnum } from "./enums.ts";
import * as listings from "./service.ts";
import { createListingRules, photoRules, updateListingRules } from "./validation.ts";

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
  findUnique: (id, ctx) => ({ ...visibleListingsWhere(ctx.viewer), id }),
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
        exact: canManageListing(ctx.viewer, listing),
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
      // The listing page is cached per selection; visibility is checked on every read.
      const listing = await ctx.app.cache.getOrLoad(
        [cacheNamespaces.listing(id)],
        `page:${hashOf(query)}`,
        () => ctx.app.db.listing.findUnique({ ...query, where: { id } }),
      );
      if (!listing || !canViewListing(ctx.viewer, listing)) throw notFound("Listing");
      return listing;
    },
  }),
}));

// ─── Host side: create, edit, publish, photos ───────────────────────────────

const AddressInput = builder.inputType("AddressInput", {
  fields: (t) => ({
    line1: t.string({ required: true }),
    line2: t.string(),
    city: t.string({ required: true }),
    region: t.string(),
    postalCode: t.string(),
    country: t.string({ required: true, description: "ISO 3166-1 alpha-2, e.g. PT." }),
  }),
});

const LocationInput = builder.inputType("LocationInput", {
  fields: (t) => ({ lat: t.float({ required: true }), lng: t.float({ required: true }) }),
});

/** The fields of a listing, shared by create (some required) and update (all optional). */
function listingInputFields(
  t: PothosSchemaTypes.InputFieldBuilder<SchemaTypes, "InputObject">,
  create: boolean,
) {
  return {
    title: t.string({ required: create, description: "5–120 characters." }),
    description: t.string({ description: "Up to 5,000 characters; needed before publishing." }),
    propertyType: t.field({ type: PropertyTypeEnum, required: create }),
    roomType: t.field({ type: RoomTypeEnum, required: create }),
    address: t.field({ type: AddressInput, required: create }),
    location: t.field({ type: LocationInput, required: create }),
    maxGuests: t.int({ required: create, description: "1–50." }),
    bedrooms: t.int(),
    beds: t.int(),
    bathrooms: t.float({ description: "Whole or half numbers." }),
    nightlyPrice: t.int({ required: create, description: "Minor units, 100–10,000,000 (1.00–100,000.00)." }),
    currency: t.string({ required: create, description: "ISO 4217; every amount of the listing is in it." }),
    cleaningFee: t.int({ description: "Minor units, 0 or more." }),
    weeklyDiscountPercent: t.int({ description: "0–99, for stays of 7 nights or more." }),
    monthlyDiscountPercent: t.int({ description: "0–99, for stays of 28 nights or more." }),
    minNights: t.int({ description: "1 ≤ minNights ≤ maxNights ≤ 365." }),
    maxNights: t.int(),
    instantBook: t.boolean(),
    cancellationPolicy: t.field({ type: CancellationPolicyEnum }),
    amenityCodes: t.stringList({
      description: "Codes from the `amenities` query; replaces the list on update.",
    }),
    houseRules: t.string(),
    checkInTime: t.string({ description: "Local time HH:MM." }),
    checkOutTime: t.string({ description: "Local time HH:MM." }),
    timeZone: t.string({ description: "IANA zone of the place, e.g. Europe/Lisbon." }),
  };
}

const CreateListingInput = builder.inputType("CreateListingInput", {
  validate: createListingRules,
  fields: (t) => listingInputFields(t, true),
});

const UpdateListingInput = builder.inputType("UpdateListingInput", {
  validate: updateListingRules,
  fields: (t) => ({ listingId: t.id({ required: true }), ...listingInputFields(t, false) }),
});

const ListingIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ listingId: t.id({ required: true }) }) });
const PublishListingInput = ListingIdInput("PublishListingInput");
const UnpublishListingInput = ListingIdInput("UnpublishListingInput");

const PhotoInput = builder.inputType("PhotoInput", {
  fields: (t) => ({ url: t.string({ required: true }), caption: t.string() }),
});
const AddListingPhotosInput = builder.inputType("AddListingPhotosInput", {
  validate: photoRules,
  fields: (t) => ({
    listingId: t.id({ required: true }),
    photos: t.field({
      type: [PhotoInput],
      required: true,
      description: "Appended in this order; 50 photos at most.",
    }),
  }),
});
const RemoveListingPhotoInput = builder.inputType("RemoveListingPhotoInput", {
  fields: (t) => ({ listingId: t.id({ required: true }), photoId: t.id({ required: true }) }),
});
const ReorderListingPhotosInput = builder.inputType("ReorderListingPhotosInput", {
  fields: (t) => ({
    listingId: t.id({ required: true }),
    photoIds: t.idList({ required: true, description: "Every photo of the listing, in the new order." }),
  }),
});

export const ListingPayload = (name: string) =>
  builder.objectRef<{ listing: Listing }>(name).implement({
    fields: (t) => ({ listing: t.field({ type: ListingRef, resolve: (payload) => payload.listing }) }),
  });

const reload = (ctx: Context, listingId: string) =>
  ctx.app.db.listing.findUniqueOrThrow({ where: { id: listingId } });

builder.mutationFields((t) => ({
  createListing: t.field({
    type: ListingPayload("CreateListingPayload"),
    description: "Creates a DRAFT listing; the caller becomes a host.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CreateListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.createListing(requireViewer(ctx), input),
    }),
  }),
  updateListing: t.field({
    type: ListingPayload("UpdateListingPayload"),
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: UpdateListingInput, required: true }) },
    resolve: async (_root, { input: { listingId, ...fields } }, ctx) => ({
      listing: await listings.updateListing(requireViewer(ctx), decodeIdOf("Listing", listingId), fields),
    }),
  }),
  publishListing: t.field({
    type: ListingPayload("PublishListingPayload"),
    description: "Makes the listing LISTED (visible in search). BAD_USER_INPUT names what is missing.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: PublishListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.publishListing(requireViewer(ctx), decodeIdOf("Listing", input.listingId)),
    }),
  }),
  unpublishListing: t.field({
    type: ListingPayload("UnpublishListingPayload"),
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: UnpublishListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.unpublishListing(requireViewer(ctx), decodeIdOf("Listing", input.listingId)),
    }),
  }),
  addListingPhotos: t.field({
    type: ListingPayload("AddListingPhotosPayload"),
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: AddListingPhotosInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const listingId = decodeIdOf("Listing", input.listingId);
      await listings.addListingPhotos(requireViewer(ctx), listingId, input.photos);
      return { listing: await reload(ctx, listingId) };
    },
  }),
  removeListingPhoto: t.field({
    type: ListingPayload("RemoveListingPhotoPayload"),
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RemoveListingPhotoInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const listingId = decodeIdOf("Listing", input.listingId);
      await listings.removeListingPhoto(requireViewer(ctx), listingId, decodeIdOf("Photo", input.photoId));
      return { listing: await reload(ctx, listingId) };
    },
  }),
  reorderListingPhotos: t.field({
    type: ListingPayload("ReorderListingPhotosPayload"),
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ReorderListingPhotosInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const listingId = decodeIdOf("Listing", input.listingId);
      // An id of another type cannot be one of the listing's photos: the permutation check refuses it.
      const photoIds = input.photoIds.map((id) => {
        try {
          return decodeIdOf("Photo", id);
        } catch {
          return id;
        }
      });
      await listings.reorderListingPhotos(requireViewer(ctx), listingId, photoIds);
      return { listing: await reload(ctx, listingId) };
    },
  }),
}));

builder.queryField("myListings", (t) =>
  t.prismaConnection(
    {
      type: "Listing",
      cursor: "id",
      description: "The signed-in host's listings in every status, newest first.",
      authScopes: { authenticated: true },
      totalCount: (_parent, _args, ctx) =>
        ctx.app.db.listing.count({ where: { hostId: requireViewer(ctx).viewer.id } }),
      resolve: (query, _root, _args, ctx) =>
        ctx.app.db.listing.findMany({
          ...query,
          where: { hostId: requireViewer(ctx).viewer.id },
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
        where: visibleListingsWhere(ctx.viewer),
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
    },
    { name: "UserListingsConnection" },
    { name: "UserListingsEdge" },
  ),
);
