// Listing enums in the schema, from the Prisma enums so the two cannot drift.
import {
  CancellationPolicy as CancellationPolicyValues,
  ListingStatus as ListingStatusValues,
  PropertyType as PropertyTypeValues,
  RoomType as RoomTypeValues,
} from "../../generated/prisma/enums.ts";
import { builder } from "../../graphql/builder.ts";

export const PropertyTypeEnum = builder.enumType(PropertyTypeValues, { name: "PropertyType" });
export const RoomTypeEnum = builder.enumType(RoomTypeValues, { name: "RoomType" });
export const ListingStatusEnum = builder.enumType(ListingStatusValues, {
  name: "ListingStatus",
  description:
    "DRAFT until published; LISTED appears in search; UNLISTED hidden by the host; SUSPENDED by an admin.",
});
export const CancellationPolicyEnum = builder.enumType(CancellationPolicyValues, {
  name: "CancellationPolicy",
});
