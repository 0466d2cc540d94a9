// Listings in the schema, host side: create, edit, publish and unpublish, photos. Changes to
// a listing declare the `listingOwner` scope; resolvers decode ids and call the use case.
import { builder, type SchemaTypes } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { requireActor } from "../../graphql/actor.ts";
import { CancellationPolicyEnum, PropertyTypeEnum, RoomTypeEnum } from "./enums.ts";
import { ListingPayload } from "./schema.ts";
import * as photos from "./photos.ts";
import * as listings from "./service.ts";
import { createListingRules, photoRules, updateListingRules } from "./validation.ts";

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
    nightlyPrice: t.int({
      required: create,
      description: "Minor units of `currency`, within its limits (`currencies`): 100–2,000,000 in EUR.",
    }),
    currency: t.string({
      required: create,
      description: "ISO 4217, one of `currencies`; every amount of the listing is in it.",
    }),
    cleaningFee: t.int({ description: "Minor units, 0 up to the currency's nightlyPriceMax." }),
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

const listingIdOf = (input: { listingId: string }) => decodeIdOf("Listing", input.listingId, "Listing");
/** The scope of every change to one listing: its host, or an admin. */
const ownsListing = (_root: unknown, args: { input: { listingId: string } }) => ({
  listingOwner: listingIdOf(args.input),
});

/** An id of another type cannot name one of the listing's photos: the use case refuses it as such. */
const photoIdOf = (id: string) => {
  try {
    return decodeIdOf("Photo", id);
  } catch {
    return id;
  }
};

builder.mutationFields((t) => ({
  createListing: t.field({
    type: ListingPayload("CreateListingPayload"),
    description: "Creates a DRAFT listing; the caller becomes a host.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CreateListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.createListing(requireActor(ctx), input, ctx.app),
    }),
  }),
  updateListing: t.field({
    type: ListingPayload("UpdateListingPayload"),
    description:
      "Changes the given fields. A LISTED listing keeps a description; the currency stays while custom night prices or live bookings exist in it.",
    authScopes: ownsListing,
    args: { input: t.arg({ type: UpdateListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.updateListing(
        requireActor(ctx),
        { ...input, listingId: listingIdOf(input) },
        ctx.app,
      ),
    }),
  }),
  publishListing: t.field({
    type: ListingPayload("PublishListingPayload"),
    description: "Makes the listing LISTED (visible in search). BAD_USER_INPUT names what is missing.",
    authScopes: ownsListing,
    args: { input: t.arg({ type: PublishListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.publishListing(requireActor(ctx), { listingId: listingIdOf(input) }, ctx.app),
    }),
  }),
  unpublishListing: t.field({
    type: ListingPayload("UnpublishListingPayload"),
    authScopes: ownsListing,
    args: { input: t.arg({ type: UnpublishListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await listings.unpublishListing(requireActor(ctx), { listingId: listingIdOf(input) }, ctx.app),
    }),
  }),
  addListingPhotos: t.field({
    type: ListingPayload("AddListingPhotosPayload"),
    authScopes: ownsListing,
    args: { input: t.arg({ type: AddListingPhotosInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await photos.addListingPhotos(
        requireActor(ctx),
        { listingId: listingIdOf(input), photos: input.photos },
        ctx.app,
      ),
    }),
  }),
  removeListingPhoto: t.field({
    type: ListingPayload("RemoveListingPhotoPayload"),
    authScopes: ownsListing,
    args: { input: t.arg({ type: RemoveListingPhotoInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await photos.removeListingPhoto(
        requireActor(ctx),
        { listingId: listingIdOf(input), photoId: decodeIdOf("Photo", input.photoId) },
        ctx.app,
      ),
    }),
  }),
  reorderListingPhotos: t.field({
    type: ListingPayload("ReorderListingPhotosPayload"),
    authScopes: ownsListing,
    args: { input: t.arg({ type: ReorderListingPhotosInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await photos.reorderListingPhotos(
        requireActor(ctx),
        { listingId: listingIdOf(input), photoIds: input.photoIds.map(photoIdOf) },
        ctx.app,
      ),
    }),
  }),
}));
