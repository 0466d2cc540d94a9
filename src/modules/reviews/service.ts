// Reading reviews: a listing's category averages over its published guest reviews, for many
// listings in one query (the Rating field batches through it).
import type { Db } from "../../infra/db.ts";
import { publishedGuestReviewsWhere } from "./access.ts";

export interface CategoryAverages {
  cleanliness: number | null;
  accuracy: number | null;
  communication: number | null;
  location: number | null;
  checkIn: number | null;
  value: number | null;
}

const noAverages: CategoryAverages = {
  cleanliness: null,
  accuracy: null,
  communication: null,
  location: null,
  checkIn: null,
  value: null,
};

/** Averages per listing id, in the order of listingIds (all null for a listing without any). */
/** The category columns of a review, as a Prisma selection (also the `_avg` of a group). */
export const categoryColumns = {
  cleanliness: true,
  accuracy: true,
  communication: true,
  location: true,
  checkInRating: true,
  value: true,
} as const;

type CategoryColumns = { [K in keyof typeof categoryColumns]: number | null };

/** Column names to the API's (check_in_rating is `checkIn` outside the database). */
export function categoriesOf(row: CategoryColumns): CategoryAverages {
  return {
    cleanliness: row.cleanliness,
    accuracy: row.accuracy,
    communication: row.communication,
    location: row.location,
    checkIn: row.checkInRating,
    value: row.value,
  };
}

export async function categoryAverages(db: Db, listingIds: readonly string[]): Promise<CategoryAverages[]> {
  const groups = await db.review.groupBy({
    by: ["listingId"],
    where: {
      ...publishedGuestReviewsWhere,
      listingId: { in: [...listingIds] },
    },
    _avg: categoryColumns,
  });
  const byListing = new Map(groups.map(({ listingId, _avg }) => [listingId, categoriesOf(_avg)]));
  return listingIds.map((id) => byListing.get(id) ?? noAverages);
}
