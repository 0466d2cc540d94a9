import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HostPayoutsDocument,
  HostReservationsDocument,
  LogInDocument,
  MyTripsDocument,
  SearchListingsDocument,
} from "../../schema/generated/graphql.ts";
import { DEMO_PASSWORD, seedDemoData, seedDemoDataIfEmpty } from "../../prisma/seed.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { expectBooksBalanced } from "../helpers/bookings.ts";
import type { GraphQLClient } from "../helpers/client.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await seedDemoData(t.app);
});
afterAll(() => t.close());

const BOOKING_STATES = ["PENDING", "CONFIRMED", "DECLINED", "EXPIRED", "CANCELLED", "COMPLETED"];

async function signedIn(email: string): Promise<GraphQLClient> {
  const { logIn } = await t.client.ok(LogInDocument, { input: { email, password: DEMO_PASSWORD } });
  return t.client.as(logIn.accessToken);
}

describe("demo data", () => {
  it("holds a living marketplace: listed places with photos, ratings and reviews in real cities", async () => {
    const listings = await t.app.db.listing.findMany({ include: { photos: true, reviews: true } });
    expect(listings.length).toBeGreaterThanOrEqual(10);
    expect(new Set(listings.map((listing) => listing.currency)).size).toBeGreaterThanOrEqual(5);
    for (const listing of listings) {
      expect(listing.status).toBe("LISTED");
      expect(listing.photos.length).toBeGreaterThan(0);
      expect(listing.reviews.length).toBe(listing.ratingCount);
    }
  });

  it("lets the demo users log in and finds Lisbon's listing near Lisbon, with its rating", async () => {
    await t.client.ok(LogInDocument, { input: { email: "guest@roost.example", password: DEMO_PASSWORD } });
    const found = await t.client.ok(SearchListingsDocument, {
      filter: { near: { lat: 38.7223, lng: -9.1393, radiusKm: 20 } },
      first: 10,
    });
    expect(found.searchListings.edges.map((edge) => edge.node.title)).toEqual([
      "Sunny loft above the Alfama rooftops",
    ]);
    expect(found.searchListings.edges[0]?.node.rating?.count).toBe(2);
  });

  it("shows the demo guest trips in every state, each with the payment its story leaves", async () => {
    const guest = await signedIn("guest@roost.example");
    const { myTrips } = await guest.ok(MyTripsDocument, { first: 100 });
    const trips = myTrips.edges.map((edge) => edge.node);
    expect(trips).toHaveLength(myTrips.totalCount);
    expect(new Set(trips.map((trip) => trip.status))).toEqual(new Set(BOOKING_STATES));
    const payments = (status: string) =>
      trips.filter((trip) => trip.status === status).map((trip) => trip.payment?.status);
    expect(payments("PENDING")).toEqual(["AUTHORIZED"]);
    expect(payments("CONFIRMED")).toEqual(["CAPTURED", "CAPTURED"]);
    expect(payments("DECLINED")).toEqual(["VOIDED"]);
    expect(payments("EXPIRED")).toEqual(["VOIDED"]);
    // Cancelled 25 days ahead (MODERATE: all back) and 3 days ahead (half the nights back).
    expect(payments("CANCELLED").sort()).toEqual(["PARTIALLY_REFUNDED", "REFUNDED"]);
    expect(new Set(payments("COMPLETED"))).toEqual(new Set(["CAPTURED"]));
    for (const trip of trips) {
      // The quote is the stored snapshot: its lines sum to what the guest was charged.
      const lines = trip.quote.lines.reduce((sum, line) => sum + line.amount.amount, 0);
      expect(lines).toBe(trip.total.amount);
      expect(trip.payment?.amount.amount).toBe(trip.total.amount);
    }
  });

  it("shows the demo host reservations in every state and payouts paid, scheduled and cancelled", async () => {
    const host = await signedIn("host@roost.example");
    const { hostReservations } = await host.ok(HostReservationsDocument, { first: 100 });
    expect(new Set(hostReservations.edges.map((edge) => edge.node.status))).toEqual(new Set(BOOKING_STATES));
    const { hostPayouts } = await host.ok(HostPayoutsDocument, { first: 100 });
    const payouts = hostPayouts.edges.map((edge) => edge.node);
    const completed = hostReservations.edges.filter((edge) => edge.node.status === "COMPLETED");
    expect(payouts.filter((payout) => payout.status === "PAID")).toHaveLength(completed.length);
    // Two confirmed stays and the late cancellation, whose host keeps half the nights.
    expect(payouts.filter((payout) => payout.status === "SCHEDULED")).toHaveLength(3);
    expect(payouts.filter((payout) => payout.status === "CANCELLED")).toHaveLength(1);
    for (const payout of payouts.filter((p) => p.status === "PAID")) {
      expect(payout.paidAt).not.toBeNull();
      expect(new Date(payout.paidAt ?? "").getTime()).toBeLessThan(Date.now());
      expect(payout.amount.amount).toBeGreaterThan(0);
    }
  });

  it("keeps books that balance: every journal sums to zero and matches its payment and payout", async () => {
    await expectBooksBalanced(t);
    const journals = await t.app.db.$queryRaw<Array<{ memo: string; journals: number }>>`
      SELECT memo, count(DISTINCT journal_id)::int AS journals FROM ledger_entries GROUP BY memo ORDER BY memo`;
    const completed = await t.app.db.booking.count({ where: { status: "COMPLETED" } });
    expect(journals).toEqual([
      // Both stays ahead, both cancelled ones and every past stay were captured.
      { memo: "capture", journals: completed + 4 },
      { memo: "payout", journals: completed },
      { memo: "refund", journals: 2 },
    ]);
  });

  it("is loaded only into a database without users", async () => {
    expect(await seedDemoDataIfEmpty(t.app)).toBe(false);
  });
});
