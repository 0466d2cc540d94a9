// Search in the schema: searchListings, ListingSearchInput, ListingSort, the ListingConnection
// and Listing.stayTotal.
import { queryFromInfo } from "@pothos/plugin-prisma";
import type { Listing } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { PropertyTypeEnum, RoomTypeEnum } from "../listings/enums.ts";
import { ListingRef } from "../listings/schema.ts";
import type { Money } from "../pricing/money.ts";
import { MoneyRef } from "../pricing/schema.ts";
import {
  DEFAULT_PAGE_SIZE,
  type ListingSort,
  MAX_GUESTS,
  MAX_PAGE_SIZE,
  MAX_RADIUS_KM,
  MAX_STAY_NIGHTS,
} from "./filters.ts";
import { RELEVANCE_PRIOR_MEAN, RELEVANCE_PRIOR_WEIGHT, TOTAL_COUNT_CAP } from "./query.ts";
import { findSearchPage, loadListingsInOrder, parseSearch } from "./service.ts";

const sorts: Record<ListingSort, { description: string }> = {
  RELEVANCE: {
    description: `The default. Rating weighted by review count (the average pulled toward ${RELEVANCE_PRIOR_MEAN} by ${RELEVANCE_PRIOR_WEIGHT} virtual reviews, so many good reviews beat one perfect one and new listings start mid-pack), then newest.`,
  },
  PRICE_ASC: {
    description:
      "Cheapest first: by nightly price, or by stay total when checkIn and checkOut are given (raw minor units, whatever the currency).",
  },
  PRICE_DESC: { description: "Most expensive first; as PRICE_ASC otherwise." },
  RATING: {
    description: "Highest average rating first, then most reviews; unrated listings last.",
  },
  DISTANCE: {
    description: "Nearest to filter.near first (BAD_USER_INPUT without filter.near).",
  },
  NEWEST: { description: "Most recently created first." },
};

const ListingSortEnum = builder.enumType("ListingSort", { values: sorts });

const SearchNearInput = builder.inputType("SearchNearInput", {
  description: "Listings within a great-circle radius of a point.",
  fields: (t) => ({
    lat: t.float({ required: true, description: "-90 to 90." }),
    lng: t.float({ required: true, description: "-180 to 180." }),
    radiusKm: t.float({
      required: true,
      description: `Greater than 0, at most ${MAX_RADIUS_KM}.`,
    }),
  }),
});

const SearchBoundsInput = builder.inputType("SearchBoundsInput", {
  description:
    "Listings inside a latitude/longitude box (a map's viewport). west > east crosses the antimeridian.",
  fields: (t) => ({
    north: t.float({
      required: true,
      description: "-90 to 90, not south of south.",
    }),
    south: t.float({ required: true }),
    east: t.float({ required: true, description: "-180 to 180." }),
    west: t.float({ required: true, description: "-180 to 180." }),
  }),
});

const priceDescription = (bound: string) =>
  `${bound}, in minor units of each listing's own currency: compared with the nightly price, or with the stay total when checkIn and checkOut are given.`;

const ListingSearchInput = builder.inputType("ListingSearchInput", {
  description: "Every given filter applies (AND). Only LISTED listings are ever returned.",
  fields: (t) => ({
    near: t.field({ type: SearchNearInput }),
    bounds: t.field({ type: SearchBoundsInput }),
    checkIn: t.field({
      type: "Date",
      description: `With checkOut: only listings free on every night whose min/max nights allow the stay (at most ${MAX_STAY_NIGHTS} nights; not before the listing's local today, as for \`quote\`).`,
    }),
    checkOut: t.field({
      type: "Date",
      description: "The morning the guest leaves; with checkIn.",
    }),
    guests: t.int({
      description: `1 to ${MAX_GUESTS}: listings hosting at least this many.`,
    }),
    priceMin: t.int({ description: priceDescription("At least") }),
    priceMax: t.int({ description: priceDescription("At most") }),
    amenityCodes: t.stringList({
      description: "Listings with all of these amenities (codes from `amenities`).",
    }),
    propertyTypes: t.field({
      type: [PropertyTypeEnum],
      description: "Any of these.",
    }),
    roomTypes: t.field({ type: [RoomTypeEnum], description: "Any of these." }),
    instantBook: t.boolean({
      description: "true: instant-book listings only; false: request-to-book only.",
    }),
    minBedrooms: t.int(),
  }),
});

interface ListingEdgeShape {
  cursor: string;
  node: Listing;
}

interface ListingConnectionShape {
  edges: ListingEdgeShape[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
  totalCountIsExact: boolean;
}

const ListingEdgeRef = builder.objectRef<ListingEdgeShape>("ListingEdge").implement({
  fields: (t) => ({
    cursor: t.exposeString("cursor"),
    node: t.field({ type: ListingRef, resolve: (edge) => edge.node }),
  }),
});

export const ListingConnectionRef = builder.objectRef<ListingConnectionShape>("ListingConnection").implement({
  fields: (t) => ({
    edges: t.field({
      type: [ListingEdgeRef],
      resolve: (connection) => connection.edges,
    }),
    pageInfo: t.field({
      type: builder.pageInfoRef(),
      resolve: (connection) => connection.pageInfo,
    }),
    totalCount: t.exposeInt("totalCount", {
      description: `All matches, counted up to ${TOTAL_COUNT_CAP.toLocaleString("en")}: with more, ${TOTAL_COUNT_CAP} and totalCountIsExact false ("${TOTAL_COUNT_CAP.toLocaleString("en")}+").`,
    }),
    totalCountIsExact: t.exposeBoolean("totalCountIsExact", {
      description: `True when totalCount is every match; false when counting stopped at ${TOTAL_COUNT_CAP.toLocaleString("en")} (there are more).`,
    }),
  }),
});

/** Stay totals of the rows this request's searches returned: set by searchListings, read by stayTotal. */
const stayTotals = new WeakMap<object, Money>();

builder.prismaObjectFields(ListingRef, (t) => ({
  stayTotal: t.field({
    type: MoneyRef,
    nullable: true,
    description:
      "In searchListings results with checkIn and checkOut: the stay's total, equal to the `quote` total for the same stay. Null elsewhere, and null for a stay whose total is past what one Money.amount carries (quote refuses it; price sorts and price filters leave such listings out).",
    resolve: (listing) => stayTotals.get(listing) ?? null,
  }),
}));

builder.queryField("searchListings", (t) =>
  t.field({
    type: ListingConnectionRef,
    description: `LISTED listings matching the filter, in the sort's order (default RELEVANCE). \`first\` defaults to ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}; \`after\` takes an endCursor of the same search.`,
    args: {
      filter: t.arg({ type: ListingSearchInput }),
      sort: t.arg({ type: ListingSortEnum }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: async (_root, args, ctx, info) => {
      const request = await parseSearch(ctx.app, args);
      const query = queryFromInfo({
        context: ctx,
        info,
        typeName: "Listing",
        path: ["edges", "node"],
        select: { id: true },
      });
      // Both reads from one source: the replica, unless the viewer just wrote (infra/read-routing.ts).
      const { page, listings } = await ctx.app.reads.read(ctx.actor?.userId, async (source) => {
        const found = await findSearchPage(ctx.app, request, source);
        const ids = found.edges.map((edge) => edge.id);
        return { page: found, listings: await loadListingsInOrder(source.db, ids, query) };
      });
      const edges = page.edges.flatMap((edge) => {
        const node = listings.get(edge.id);
        if (!node) return [];
        if (edge.stayTotal) stayTotals.set(node, edge.stayTotal);
        return [{ cursor: edge.cursor, node }];
      });
      return {
        edges,
        totalCount: page.totalCount,
        totalCountIsExact: page.totalCountIsExact,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: request.after !== null,
          startCursor: page.edges[0]?.cursor ?? null,
          endCursor: page.edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
