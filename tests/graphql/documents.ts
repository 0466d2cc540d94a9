// Hostile documents the query-cost tests send, written once for the unit and the HTTP tests.

/**
 * `F1` spreads `F0` twice, `F2` spreads `F1` twice, and so on: a document of a few hundred
 * bytes that selects 2^depth × 3 amenity fields once expanded.
 */
export function fragmentBomb(depth: number): string {
  const fragments = ["fragment F0 on Amenity { code name category }"];
  for (let level = 1; level <= depth; level++) {
    fragments.push(`fragment F${level} on Amenity { ...F${level - 1} ...F${level - 1} }`);
  }
  return `{ amenities { ...F${depth} } } ${fragments.join(" ")}`;
}

/** `aliases` search pages of 100 listings, each with a year of calendar nights. */
export function yearOfNightsOnSearchPages(aliases: number): string {
  const page = (index: number) =>
    `p${index}: searchListings(first: 100) { edges { node { calendar(from: "2030-01-01", to: "2031-01-01") { date available nightlyPrice { amount currency } } } } }`;
  return `{ ${Array.from({ length: aliases }, (_, index) => page(index)).join(" ")} }`;
}
