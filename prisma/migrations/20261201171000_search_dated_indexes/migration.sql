-- Dated searches (issue 14): what a stay search asks of every match, answered from indexes alone.
-- The two btrees carry their extra columns as keys, not INCLUDE, which Prisma's schema language
-- cannot say (its diff would rebuild them); the partial GiST index is hand-written and invisible to it.

-- The availability probe (search/conditions.ts freeForStay): a listing's holds ending after check-in,
-- with their start. It also serves the calendar's reads of a listing's holds over a range, which the
-- (listing_id, start_date) index served: end_date > from bounds them as well as start_date < to.
DROP INDEX "calendar_holds_listing_id_start_date_idx";
CREATE INDEX "calendar_holds_listing_id_end_date_start_date_idx"
  ON "calendar_holds" ("listing_id", "end_date", "start_date");

-- A stay's custom night prices across every listing, summed per listing once (stayCustomNights).
CREATE INDEX "listing_night_prices_night_listing_id_amount_idx"
  ON "listing_night_prices" ("night", "listing_id", "amount");

-- The location index carries the columns a search within a radius filters, prices and orders by in
-- the common case (guests, nights, the stay's price; RELEVANCE, NEWEST and price keys), so a search
-- that visits every match (a dated page by stay total, a page by distance, the capped count) reads
-- them from the index alone, without a heap page per match. No more than these: measured here on
-- the bench's 100,000 listings, counting the 8,334 matches around Lisbon took 8 ms with these,
-- 17 ms through the heap, and 17 ms with every filtered column included (a 30 MB index, against
-- 19 MB: GiST visits more and wider pages). Filters on other columns read the heap as before.
DROP INDEX "listings_location_idx";
CREATE INDEX "listings_location_idx" ON "listings" USING gist ("earth_point")
  INCLUDE ("id", "currency", "nightly_price", "cleaning_fee", "weekly_discount_pct", "monthly_discount_pct",
           "min_nights", "max_nights", "max_guests", "relevance_score", "created_at")
  WHERE status = 'LISTED';
