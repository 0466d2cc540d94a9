// Cache namespaces of listing reads. Search results depend on listings too: any listing
// change can move a listing in or out of a search, so listing writes invalidate both.
export const listingCacheTags = {
  listing: (listingId: string) => `listing:${listingId}`,
  /** Every cached search page. */
  search: "search",
} as const;
