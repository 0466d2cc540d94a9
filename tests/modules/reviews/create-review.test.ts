// createReview over HTTP: who may review which stay, when (after completion, inside the window),
// once each side, what the input must hold, and what the database decides when requests race.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateReviewDocument } from "../../../schema/generated/graphql.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import {
  completedStay,
  guestReviewInput,
  hostReviewInput,
  type ReviewedStay,
  reviewOk,
  writeReview,
} from "../../helpers/reviews.ts";

// Stays end on the 10th at 11:00 UTC: the window is open until the 24th at 11:00.
const clock = new ManualClock(new Date("2027-03-20T12:00:00Z"));
let t: TestApp;
let host: TestUser;
let listing: Listing;

beforeAll(async () => {
  t = await startTestApp({ clock });
  host = await factories(t).user().host().create();
  listing = await factories(t).listing(host).listed().create();
});
afterAll(() => t.close());

async function stay(dates = { checkIn: "2027-03-05", checkOut: "2027-03-10" }, status?: "CONFIRMED") {
  const guest = await factories(t).user().named("Gina", "Guest").create();
  return completedStay(t, { host, guest, listing }, dates, status);
}

describe("who and when", () => {
  it("takes the guest's review of the listing and the host's review of the guest", async () => {
    const s = await stay();
    const mine = await reviewOk(
      s.guest,
      guestReviewInput(s, 4, { comment: "  Lovely place.\nWould return.  " }),
    );
    expect(mine).toMatchObject({
      rating: 4,
      comment: "Lovely place.\nWould return.",
      categoryRatings: { cleanliness: 4, accuracy: 4, communication: 4, location: 4, checkIn: 4, value: 4 },
      author: { id: s.guest.globalId, firstName: "Gina" },
      response: null,
      publishedAt: null,
    });
    const theirs = await reviewOk(s.host, hostReviewInput(s, 5));
    expect(theirs.author.id).toBe(host.globalId);
    expect(theirs.categoryRatings).toEqual({
      cleanliness: null,
      accuracy: null,
      communication: null,
      location: null,
      checkIn: null,
      value: null,
    });
    const rows = await t.app.db.review.findMany({
      where: { bookingId: s.bookingRawId },
      orderBy: { direction: "asc" },
    });
    expect(rows.map((r) => [r.direction, r.authorId, r.subjectId])).toEqual([
      ["GUEST_TO_HOST", s.guest.id, host.id],
      ["HOST_TO_GUEST", host.id, s.guest.id],
    ]);
  });

  it("is INVALID_STATE before the stay is completed", async () => {
    const s = await stay({ checkIn: "2027-03-25", checkOut: "2027-03-28" }, "CONFIRMED");
    expect(codeOf(await writeReview(s.guest, guestReviewInput(s, 5)))).toBe("INVALID_STATE");
    expect(codeOf(await writeReview(host, hostReviewInput(s, 5)))).toBe("INVALID_STATE");
  });

  it("is open until 14 days after the local check-out, INVALID_STATE from then on", async () => {
    // Checked out on the 7th at 11:00: open until the 21st at 11:00 (now is the 20th, 12:00).
    const open = await stay({ checkIn: "2027-03-05", checkOut: "2027-03-07" });
    await reviewOk(open.guest, guestReviewInput(open, 5));
    // Checked out on the 6th: the window closed an hour ago.
    const closed = await stay({ checkIn: "2027-03-04", checkOut: "2027-03-06" });
    expect(codeOf(await writeReview(closed.guest, guestReviewInput(closed, 5)))).toBe("INVALID_STATE");
    expect(codeOf(await writeReview(host, hostReviewInput(closed, 5)))).toBe("INVALID_STATE");
  });

  it("is NOT_FOUND for someone else's booking and for ids that name no booking", async () => {
    const s = await stay();
    const stranger = await factories(t).user().create();
    const otherHost = await factories(t).user().host().create();
    for (const who of [stranger, otherHost]) {
      expect(codeOf(await writeReview(who, guestReviewInput(s, 5)))).toBe("NOT_FOUND");
    }
    expect(codeOf(await writeReview(s.guest, guestReviewInput({ bookingId: listing.id }, 5)))).toBe(
      "NOT_FOUND",
    );
    expect(codeOf(await writeReview(s.guest, guestReviewInput({ bookingId: host.globalId }, 5)))).toBe(
      "NOT_FOUND",
    );
  });

  it("is FORBIDDEN for an admin (who sees the booking but did not stay or host)", async () => {
    const s = await stay();
    const admin = await factories(t).user().admin().create();
    expect(codeOf(await writeReview(admin, hostReviewInput(s, 5)))).toBe("FORBIDDEN");
  });

  it("is UNAUTHENTICATED without a token", async () => {
    const s = await stay();
    const result = await t.client.request(CreateReviewDocument, { input: hostReviewInput(s, 5) });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });
});

describe("once each", () => {
  it("answers CONFLICT to a second review by the same side", async () => {
    const s = await stay();
    await reviewOk(s.guest, guestReviewInput(s, 5));
    expect(codeOf(await writeReview(s.guest, guestReviewInput(s, 1)))).toBe("CONFLICT");
    await reviewOk(host, hostReviewInput(s, 4));
    expect(codeOf(await writeReview(host, hostReviewInput(s, 1)))).toBe("CONFLICT");
    expect(await t.app.db.review.count({ where: { bookingId: s.bookingRawId } })).toBe(2);
  });

  it("keeps exactly one of many concurrent reviews by one side", async () => {
    const s = await stay();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => writeReview(s.guest, guestReviewInput(s, (i % 5) + 1))),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === "CONFLICT").length).toBe(5);
    expect(await t.app.db.review.count({ where: { bookingId: s.bookingRawId } })).toBe(1);
  });

  it("publishes both when the two sides review at the same moment", async () => {
    const s: ReviewedStay = await stay();
    await Promise.all([reviewOk(s.guest, guestReviewInput(s, 5)), reviewOk(host, hostReviewInput(s, 5))]);
    const rows = await t.app.db.review.findMany({ where: { bookingId: s.bookingRawId } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.publishedAt !== null)).toBe(true);
  });
});

describe("input", () => {
  const cases: Array<[string, (s: ReviewedStay) => Parameters<typeof writeReview>[1], string[]]> = [
    ["rating out of range", (s) => guestReviewInput(s, 5, { rating: 0 }), ["rating"]],
    ["rating above 5", (s) => guestReviewInput(s, 5, { rating: 6 }), ["rating"]],
    [
      "a category out of range",
      (s) =>
        guestReviewInput(s, 5, {
          categoryRatings: {
            cleanliness: 6,
            accuracy: 5,
            communication: 0,
            location: 5,
            checkIn: 5,
            value: 5,
          },
        }),
      ["categoryRatings.cleanliness", "categoryRatings.communication"],
    ],
    ["an empty comment", (s) => guestReviewInput(s, 5, { comment: "   " }), ["comment"]],
    [
      "a comment over 2,000 characters",
      (s) => guestReviewInput(s, 5, { comment: "a".repeat(2_001) }),
      ["comment"],
    ],
    ["a control character", (s) => guestReviewInput(s, 5, { comment: "bell\u0007" }), ["comment"]],
    [
      "a guest review without categories",
      (s) => guestReviewInput(s, 5, { categoryRatings: null }),
      ["categoryRatings"],
    ],
  ];

  it.each(cases)("refuses %s with BAD_USER_INPUT naming the fields", async (_name, input, paths) => {
    const s = await stay();
    const result = await writeReview(s.guest, input(s));
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(
      fieldsOf(result)
        .map((f) => f.path)
        .sort(),
    ).toEqual(paths);
    expect(await t.app.db.review.count({ where: { bookingId: s.bookingRawId } })).toBe(0);
  });

  it("takes a comment of exactly 2,000 characters, and refuses categories from the host", async () => {
    const s = await stay();
    await reviewOk(s.guest, guestReviewInput(s, 5, { comment: "é".repeat(2_000) }));
    const result = await writeReview(host, {
      ...hostReviewInput(s, 5),
      categoryRatings: guestReviewInput(s, 5).categoryRatings,
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result).map((f) => f.path)).toEqual(["categoryRatings"]);
  });
});
