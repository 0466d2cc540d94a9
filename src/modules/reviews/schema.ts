// Reviews in the schema, read side: the Review node, Listing.reviews and Listing.rating, and
// User.reviews (what hosts wrote about a guest, read before answering a request).
import { createContextCache } from "@pothos/core";
import DataLoader from "dataloader";
import type { Context } from "../../context.ts";
import { builder } from "../../graphql/builder.ts";
import { UserRef } from "../accounts/schema.ts";
import { ListingRef } from "../listings/schema.ts";
import { publishedAboutGuestsWhere, publishedGuestReviewsWhere, visibleReviewsWhere } from "./access.ts";
import { type CategoryAverages, categoriesOf, categoryAverages, categoryColumns } from "./service.ts";

/** A review's own category ratings have the shape of the averages: one nullable number each. */
type CategoryRatingsShape = CategoryAverages;

const CategoryRatingsRef = builder.objectRef<CategoryRatingsShape>("ReviewCategoryRatings").implement({
  description: "The guest's optional 1-5 ratings per category.",
  fields: (t) => ({
    cleanliness: t.exposeInt("cleanliness", { nullable: true }),
    accuracy: t.exposeInt("accuracy", { nullable: true }),
    communication: t.exposeInt("communication", { nullable: true }),
    location: t.exposeInt("location", { nullable: true }),
    checkIn: t.exposeInt("checkIn", { nullable: true }),
    value: t.exposeInt("value", { nullable: true }),
  }),
});

export const ReviewRef = builder.prismaNode("Review", {
  id: { field: "id" },
  // node(id): unpublished reviews (double-blind) read as missing for all but their author and admins.
  findUnique: (id, ctx) => ({ ...visibleReviewsWhere(ctx.actor), id }),
  fields: (t) => ({
    rating: t.exposeInt("rating", { description: "Overall, 1 to 5." }),
    categoryRatings: t.field({
      type: CategoryRatingsRef,
      select: categoryColumns,
      resolve: categoriesOf,
    }),
    comment: t.exposeString("comment"),
    author: t.relation("author"),
    response: t.exposeString("response", {
      nullable: true,
      description: "The host's public answer, if any.",
    }),
    respondedAt: t.expose("respondedAt", { type: "DateTime", nullable: true }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

interface RatingShape {
  listingId: string;
  average: number;
  count: number;
}

/** A category average, loaded (batched per request) only when a query asks for one. */
const categoryField = (category: keyof CategoryAverages) => ({
  type: "Float" as const,
  nullable: true as const,
  resolve: async (rating: RatingShape, _args: object, ctx: Context) =>
    (await categoryAveragesLoader(ctx).load(rating.listingId))[category],
});

const RatingRef = builder.objectRef<RatingShape>("Rating").implement({
  description:
    "A listing's published guest reviews in figures. Category averages are null when no review rated them.",
  fields: (t) => ({
    average: t.exposeFloat("average", {
      description: "Mean overall rating, 1 to 5.",
    }),
    count: t.exposeInt("count", { description: "Published guest reviews." }),
    cleanliness: t.field(categoryField("cleanliness")),
    accuracy: t.field(categoryField("accuracy")),
    communication: t.field(categoryField("communication")),
    location: t.field(categoryField("location")),
    checkIn: t.field(categoryField("checkIn")),
    value: t.field(categoryField("value")),
  }),
});

/** One grouped query per request for every listing whose rating is asked for (no N+1). */
const categoryAveragesLoader = createContextCache(
  (ctx: Context) => new DataLoader<string, CategoryAverages>((ids) => categoryAverages(ctx.app.db, ids)),
);

builder.prismaObjectFields(ListingRef, (t) => ({
  reviews: t.relatedConnection("reviews", {
    cursor: "id",
    description: "Published guest reviews, newest first.",
    totalCount: true,
    query: {
      where: publishedGuestReviewsWhere,
      orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    },
  }),
  rating: t.field({
    type: RatingRef,
    nullable: true,
    description: "Null until the listing has a published guest review.",
    // Average and count are kept on the listing by the reviews module (and sort search results).
    select: { id: true, ratingAverage: true, ratingCount: true },
    resolve: (listing) =>
      listing.ratingCount === 0 || listing.ratingAverage === null
        ? null
        : { listingId: listing.id, average: listing.ratingAverage, count: listing.ratingCount },
  }),
}));

builder.prismaObjectFields(UserRef, (t) => ({
  reviews: t.relatedConnection("reviewsReceived", {
    cursor: "id",
    nullable: true,
    description:
      "Published reviews hosts wrote about this user as a guest, newest first. Visible to any signed-in user (hosts read them before answering a request); null for anonymous callers.",
    authScopes: { authenticated: true },
    unauthorizedResolver: () => null,
    totalCount: true,
    query: {
      where: publishedAboutGuestsWhere,
      orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    },
  }),
}));
