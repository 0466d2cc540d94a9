// Two API processes of one deployment (one database, one Redis, one key prefix): a booking's
// life on one reaches bookingUpdated and listingCalendarChanged subscribers on the other.
import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import {
  AcceptBookingDocument,
  BookingUpdatedDocument,
  type BookingUpdatedSubscription,
  CancelBookingDocument,
  DeclineBookingDocument,
  ListingCalendarChangedDocument,
  type ListingCalendarChangedSubscription,
  RequestBookingDocument,
} from "../../../schema/generated/graphql.ts";
import { type App, createApp } from "../../../src/app.ts";
import type { BookingStatus } from "../../../src/generated/prisma/enums.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { type RunningServer, startHttpServer } from "../../../src/server.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bookingInput, rawId, type Stay, stayFixture } from "../../helpers/bookings.ts";
import { GraphQLClient } from "../../helpers/client.ts";
import { type SseSubscription, subscribeOverSse } from "../../helpers/sse.ts";
import { untilSubscribed } from "../../helpers/subscriber.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));

/** The nights of a stay, check-in up to but not including check-out. */
function nightsOf({ checkIn, checkOut }: { checkIn: string; checkOut: string }): string[] {
  const nights: string[] = [];
  for (let day = Date.parse(checkIn); day < Date.parse(checkOut); day += 86_400_000) {
    nights.push(new Date(day).toISOString().slice(0, 10));
  }
  return nights;
}

describe.skipIf(!inject("redisUrl"))("across two server instances", () => {
  // Instance A: the test app; instance B: a second process of the same deployment, with the
  // same config (database, Redis, key prefix, secrets) and its own connections and port.
  let a: TestApp;
  let b: App;
  let bServer: RunningServer;

  beforeAll(async () => {
    a = await startTestApp({ clock });
    b = await createApp(a.app.config, { databaseUrl: a.database.url, clock });
    bServer = await startHttpServer(b, 0, "127.0.0.1");
  });
  afterAll(async () => {
    await bServer.close(1_000);
    await b.close();
    await a.close();
  });

  /** A user's client on instance B. */
  const onB = (user: { accessToken: string }) =>
    new GraphQLClient(`${bServer.url}/graphql`).as(user.accessToken);

  /** A subscription on instance A, ended with the test. */
  function onA<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    user?: { accessToken: string },
  ): SseSubscription<TData> {
    const subscription = subscribeOverSse(a.url, document, variables, user?.accessToken);
    onTestFinished(() => subscription.dispose());
    return subscription;
  }

  async function expectUpdate(
    updates: SseSubscription<BookingUpdatedSubscription>,
    bookingId: string,
    status: BookingStatus,
  ): Promise<void> {
    const event = await updates.next();
    expect(event.errors).toBeUndefined();
    expect(event.data?.bookingUpdated).toMatchObject({ type: status, booking: { id: bookingId, status } });
  }

  async function expectNights(
    calendar: SseSubscription<ListingCalendarChangedSubscription>,
    stay: Stay,
    dates: { checkIn: string; checkOut: string },
    available: boolean,
  ): Promise<void> {
    const event = await calendar.next();
    expect(event.errors).toBeUndefined();
    const change = event.data?.listingCalendarChanged;
    expect(change).toMatchObject({ listingId: stay.listingId, from: dates.checkIn, to: dates.checkOut });
    expect(change?.days.map((day) => [day.date, day.available])).toEqual(
      nightsOf(dates).map((date) => [date, available]),
    );
  }

  it("delivers every step of a booking, made on B, to guest, host and calendar subscribers on A", async () => {
    const stay = await stayFixture(a);
    const [guestOnB, hostOnB] = [onB(stay.guest), onB(stay.host)];
    const asGuest = onA(BookingUpdatedDocument, {}, stay.guest);
    const asHost = onA(BookingUpdatedDocument, {}, stay.host);
    const calendar = onA(ListingCalendarChangedDocument, { listingId: stay.listingId });
    // Fresh users and listing: each channel has just this one stream, so Redis tells when it listens.
    await untilSubscribed(a.app, `userBookingUpdated:${stay.guest.id}`);
    await untilSubscribed(a.app, `userBookingUpdated:${stay.host.id}`);
    await untilSubscribed(a.app, `listingCalendarChanged:${stay.listing.id}`);
    const both = [asGuest, asHost];

    // Requested on B: PENDING, and the nights are held.
    const dates = { checkIn: "2027-04-10", checkOut: "2027-04-13" };
    const first = (await guestOnB.ok(RequestBookingDocument, { input: bookingInput(stay, dates) }))
      .requestBooking.booking;
    for (const updates of both) await expectUpdate(updates, first.id, "PENDING");
    await expectNights(calendar, stay, dates, false);

    // Accepted on B: CONFIRMED (the nights were held already: no calendar event).
    await hostOnB.ok(AcceptBookingDocument, { input: { bookingId: first.id } });
    for (const updates of both) await expectUpdate(updates, first.id, "CONFIRMED");

    // Cancelled on B: CANCELLED, and the nights are free again.
    await guestOnB.ok(CancelBookingDocument, {
      input: { bookingId: first.id, idempotencyKey: randomUUID() },
    });
    for (const updates of both) await expectUpdate(updates, first.id, "CANCELLED");
    await expectNights(calendar, stay, dates, true);

    // The same nights requested again (they were freed), then declined on B.
    const second = (await guestOnB.ok(RequestBookingDocument, { input: bookingInput(stay, dates) }))
      .requestBooking.booking;
    for (const updates of both) await expectUpdate(updates, second.id, "PENDING");
    await expectNights(calendar, stay, dates, false);
    await hostOnB.ok(DeclineBookingDocument, { input: { bookingId: second.id } });
    for (const updates of both) await expectUpdate(updates, second.id, "DECLINED");
    await expectNights(calendar, stay, dates, true);

    // With bookingId too: the guest watches a third request on A; B's answer reaches it.
    const third = (await guestOnB.ok(RequestBookingDocument, { input: bookingInput(stay, dates) }))
      .requestBooking.booking;
    for (const updates of both) await expectUpdate(updates, third.id, "PENDING");
    await expectNights(calendar, stay, dates, false);
    const watched = onA(BookingUpdatedDocument, { bookingId: third.id }, stay.guest);
    await untilSubscribed(a.app, `bookingUpdated:${rawId(third.id)}`);
    await hostOnB.ok(AcceptBookingDocument, { input: { bookingId: third.id } });
    for (const updates of [...both, watched]) await expectUpdate(updates, third.id, "CONFIRMED");
  });
});
