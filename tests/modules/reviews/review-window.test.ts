// The review window, pure: 14 calendar days after the listing-local check-out, at the same local
// time (so a DST change in between moves it an hour against elapsed time); open strictly before.
import { describe, expect, it } from "vitest";
import type { BookingSnapshot } from "../../../src/modules/bookings/snapshot.ts";
import { isReviewWindowOpen, reviewWindowEnd } from "../../../src/modules/reviews/window.ts";

const snapshot = (checkOut: string, timeZone: string, checkOutTime = "11:00") =>
  ({
    checkIn: "2027-03-01",
    checkOut,
    listing: { title: "x", timeZone, checkInTime: "15:00", checkOutTime },
  }) as unknown as BookingSnapshot;

describe("reviewWindowEnd", () => {
  it.each([
    ["UTC", "2027-03-10", "11:00", "2027-03-24T11:00:00.000Z"],
    ["America/New_York", "2027-06-01", "10:30", "2027-06-15T14:30:00.000Z"],
    ["Asia/Tokyo", "2027-12-25", "12:00", "2028-01-08T03:00:00.000Z"],
    // Lisbon goes from UTC+0 to UTC+1 on 2027-03-28: 11:00 local is 10:00Z by the window's end.
    ["Europe/Lisbon", "2027-03-20", "11:00", "2027-04-03T10:00:00.000Z"],
  ])("in %s, check-out %s at %s closes at %s", (zone, checkOut, time, end) => {
    expect(reviewWindowEnd(snapshot(checkOut, zone, time)).toISOString()).toBe(end);
  });

  it("is open up to, not at, its end", () => {
    const stay = snapshot("2027-03-10", "UTC");
    expect(isReviewWindowOpen(stay, new Date("2027-03-24T10:59:59.999Z"))).toBe(true);
    expect(isReviewWindowOpen(stay, new Date("2027-03-24T11:00:00.000Z"))).toBe(false);
  });
});
