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
export async function categoryAverages(db: Db, listingIds: readonly string[]): Promise<CategoryAverages[]> {
  const groups = await db.review.groupBy({
    by: ["listingId"],
    where: {
      ...publishedGuestReviewsWhere,
      listingId: { in: [...listingIds] },
    },
    _avg: {
      cleanliness: true,
      accuracy: true,
      communication: true,
      location: true,
      checkInRating: true,
      value: true,
    },
  });
  const byListing = new Map(
    groups.map(({ listingId, _avg }) => [
      listingId,
      {
        cleanliness: _avg.cleanliness,
        accuracy: _avg.accuracy,
        communication: _avg.communication,
        location: _avg.location,
        checkIn: _avg.checkInRating,
        value: _avg.value,
      },
    ]),
  );
  return listingIds.map((id) => byListing.get(id) ?? noAverages);
}
