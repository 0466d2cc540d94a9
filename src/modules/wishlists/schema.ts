// Wishlists in the schema: the Wishlist node with its saved listings, the caller's lists and
// the create, add and remove mutations. Private: another user's wishlist reads as missing.
//
// Wishlist.listings shows every saved listing whatever its status now, even one the owner
// could no longer open (another host's listing since unlisted or suspended): the owner saved
// it when it was public, and `status` says it is unavailable. Only the listing's public
// fields are shown (Listing's own field rules still apply); listing(id) and node(id) keep
// answering NOT_FOUND for it.
import { prismaConnectionHelpers } from "@pothos/plugin-prisma";
import type { Wishlist } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules, textRule } from "../../graphql/validation.ts";
import { ListingRef } from "../listings/schema.ts";
import {
  addToWishlist,
  createWishlist,
  ownWishlistsWhere,
  removeFromWishlist,
  WISHLIST_NAME_MAX,
  WISHLISTS_MAX,
  wishlistsOrder,
} from "./service.ts";

/**
 * Saved listings, newest saved first; each edge carries when it was saved. Ties in createdAt
 * page stably: Prisma completes a cursor query's order with the primary key.
 */
const savedListings = prismaConnectionHelpers(builder, "WishlistItem", {
  cursor: "wishlistId_listingId",
  select: (nodeSelection) => ({ createdAt: true, listing: nodeSelection(true) }),
  query: { orderBy: { createdAt: "desc" } },
  resolveNode: (item) => item.listing,
});

export const WishlistRef = builder.prismaNode("Wishlist", {
  id: { field: "id" },
  // node(id): only the owner's own wishlists exist for them.
  findUnique: (id, ctx) => ({ ...ownWishlistsWhere(ctx.actor), id }),
  fields: (t) => ({
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    listings: t.connection(
      {
        type: ListingRef,
        description:
          "The saved listings, newest saved first, in whatever status they are now: one no longer LISTED stays, and its status says so.",
        args: savedListings.getArgs(),
        select: (args, ctx, nestedSelection) => ({
          items: savedListings.getQuery(args, ctx, nestedSelection),
          _count: { select: { items: true } },
        }),
        resolve: (wishlist, args, ctx) => ({
          ...savedListings.resolve(wishlist.items, args, ctx),
          totalCount: wishlist._count.items,
        }),
      },
      {
        name: "WishlistListingsConnection",
        fields: (c) => ({ totalCount: c.int({ resolve: (connection) => connection.totalCount }) }),
      },
      {
        name: "WishlistListingsEdge",
        fields: (e) => ({
          addedAt: e.field({ type: "DateTime", resolve: (edge) => edge.createdAt }),
        }),
      },
    ),
  }),
});

const CreateWishlistInput = builder.inputType("CreateWishlistInput", {
  validate: inputRules({ name: textRule({ min: 1, max: WISHLIST_NAME_MAX, noBidi: true }) }),
  fields: (t) => ({
    name: t.string({
      required: true,
      description: `1 to ${WISHLIST_NAME_MAX} characters, unique among the caller's wishlists.`,
    }),
  }),
});

const wishlistItemInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      wishlistId: t.id({ required: true }),
      listingId: t.id({ required: true }),
    }),
  });

const AddToWishlistInput = wishlistItemInput("AddToWishlistInput");
const RemoveFromWishlistInput = wishlistItemInput("RemoveFromWishlistInput");

const WishlistPayload = (name: string) =>
  builder.objectRef<{ wishlist: Wishlist }>(name).implement({
    fields: (t) => ({ wishlist: t.field({ type: WishlistRef, resolve: (payload) => payload.wishlist }) }),
  });

const itemOf = (input: { wishlistId: string; listingId: string }) => ({
  wishlistId: decodeIdOf("Wishlist", input.wishlistId, "Wishlist"),
  listingId: decodeIdOf("Listing", input.listingId, "Listing"),
});

builder.queryField("wishlists", (t) =>
  t.prismaField({
    type: ["Wishlist"],
    description: `The caller's wishlists, newest first (at most ${WISHLISTS_MAX}).`,
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.app.db.wishlist.findMany({
        ...query,
        where: ownWishlistsWhere(requireActor(ctx)),
        orderBy: wishlistsOrder,
        take: WISHLISTS_MAX,
      }),
  }),
);

builder.mutationFields((t) => ({
  createWishlist: t.field({
    type: WishlistPayload("CreateWishlistPayload"),
    description: `Creates an empty wishlist. CONFLICT when the caller already has one by that name; INVALID_STATE past ${WISHLISTS_MAX} lists.`,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CreateWishlistInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      wishlist: await createWishlist(requireActor(ctx), input, ctx.app),
    }),
  }),
  addToWishlist: t.field({
    type: WishlistPayload("AddToWishlistPayload"),
    description:
      "Saves a listing the caller can see to one of their wishlists. Saving it again changes nothing.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: AddToWishlistInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      wishlist: await addToWishlist(requireActor(ctx), itemOf(input), ctx.app),
    }),
  }),
  removeFromWishlist: t.field({
    type: WishlistPayload("RemoveFromWishlistPayload"),
    description: "Removes a listing from one of the caller's wishlists; one not in it is no error.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RemoveFromWishlistInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      wishlist: await removeFromWishlist(requireActor(ctx), itemOf(input), ctx.app),
    }),
  }),
}));
