// bookingUpdated over a real port with the graphql-sse client: who may watch a booking, "all my
// bookings" for guests and hosts (and nobody else's), and the in-process event target that
// serves one process without Redis.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  AcceptBookingDocument,
  BookingUpdatedDocument,
  type BookingUpdatedSubscription,
  CancelBookingDocument,
  DeclineBookingDocument,
} from "../../../schema/generated/graphql.ts";
import type { App } from "../../../src/app.ts";
import type { BookingStatus } from "../../../src/generated/prisma/enums.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, rawId, stayFixture, staySequence } from "../../helpers/bookings.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { type SseEvent, type SseSubscription, subscribeOverSse } from "../../helpers/sse.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let stranger: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp({ clock });
  [stranger, admin] = await Promise.all([factories(t).user().create(), factories(t).user().admin().create()]);
});
afterAll(async () => {
  await t.close();
});

type Updates = SseSubscription<BookingUpdatedSubscription>;

/** bookingUpdated on the app's server, for one booking or all the caller's; ended with the test. */
function watch(app: TestApp, user: TestUser | undefined, bookingId?: string): Updates {
  const variables = bookingId === undefined ? {} : { bookingId };
  const updates = subscribeOverSse(app.url, BookingUpdatedDocument, variables, user?.accessToken);
  onTestFinished(() => updates.dispose());
  return updates;
}

/** Distinct dates per booking, so bookings in this file never compete for nights. */
const nextDates = staySequence("2027-04-01", 2);

const PROBE_EPOCH = Date.UTC(2099, 0, 1);
const probeIndex = (event: SseEvent<BookingUpdatedSubscription>) => {
  const at = event.data?.bookingUpdated.at;
  return at?.startsWith("2099-") ? (Date.parse(at) - PROBE_EPOCH) / 1_000 : undefined;
};

/**
 * Waits until every subscription receives events: the SSE response starts before the server
 * has subscribed, so an event published at once could be missed, and a second stream on a
 * channel its process already listens to leaves no trace in Redis. So probe events (each with
 * its own `at`, for `probeBookingId`, a booking every subscriber may see) are published on the
 * topic until each stream has one; the probes that follow are drained, in order.
 */
async function untilListening(
  app: App,
  topic: "bookingUpdated" | "userBookingUpdated",
  id: string,
  probeBookingId: string,
  ...subscriptions: Updates[]
): Promise<void> {
  let sent = 0;
  const probe = () => {
    const at = new Date(PROBE_EPOCH + sent++ * 1_000).toISOString();
    return app.pubsub.publish(topic, id, { bookingId: probeBookingId, status: "PENDING", at });
  };
  // The first probe each stream received; every probe sent after it reaches it too, in order.
  const firsts: number[] = [];
  for (const subscription of subscriptions) {
    let arrived: number | undefined;
    while (arrived === undefined) {
      if (sent >= 50) throw new Error(`none of 50 probes on ${topic}:${id} arrived`);
      await probe();
      const event = await subscription.next(100).catch(() => undefined);
      if (event) arrived = probeIndex(event);
      if (event && arrived === undefined) throw new Error(`not a probe: ${JSON.stringify(event)}`);
    }
    firsts.push(arrived);
  }
  for (const [index, subscription] of subscriptions.entries()) {
    for (let late = firsts[index]! + 1; late < sent; late++) {
      expect(probeIndex(await subscription.next())).toBe(late);
    }
  }
}

/** The next event, which must be `bookingId` turned `status` (type and the booking as read now). */
async function expectUpdate(updates: Updates, bookingId: string, status: BookingStatus): Promise<void> {
  const event = await updates.next();
  expect(event.errors).toBeUndefined();
  expect(event.data?.bookingUpdated).toMatchObject({ type: status, booking: { id: bookingId, status } });
}

const cancelInput = (bookingId: string) => ({ bookingId, idempotencyKey: randomUUID() });

describe("who may watch a booking", () => {
  it("refuses anonymous callers with UNAUTHENTICATED and anyone else's booking with NOT_FOUND", async () => {
    const stay = await stayFixture(t);
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    const refusals: Array<[TestUser | undefined, string | undefined, number, string]> = [
      [undefined, booking.id, 401, "UNAUTHENTICATED"],
      [undefined, undefined, 401, "UNAUTHENTICATED"],
      [stranger, booking.id, 404, "NOT_FOUND"],
      // Admins read any booking, but the stream is the guest's and the host's (contract §5).
      [admin, booking.id, 404, "NOT_FOUND"],
      // Malformed, or an id of another type: no such booking, as for a stranger.
      [stay.guest, "not-an-id", 404, "NOT_FOUND"],
      [stay.guest, stay.listingId, 404, "NOT_FOUND"],
    ];
    for (const [user, bookingId, status, code] of refusals) {
      const refusal = await watch(t, user, bookingId).next();
      expect(refusal.status, `${code} for ${bookingId ?? "all bookings"}`).toBe(status);
      expect(refusal.errors?.[0]).toMatchObject({ extensions: { code } });
      expect(refusal.data ?? undefined).toBeUndefined();
    }
  });

  it("tells the booking's guest and its host of every change, with the booking as it is now", async () => {
    const stay = await stayFixture(t);
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    const [asGuest, asHost] = [watch(t, stay.guest, booking.id), watch(t, stay.host, booking.id)];
    await untilListening(t.app, "bookingUpdated", rawId(booking.id), rawId(booking.id), asGuest, asHost);

    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
    for (const updates of [asGuest, asHost]) await expectUpdate(updates, booking.id, "CONFIRMED");
    await stay.guest.client.ok(CancelBookingDocument, { input: cancelInput(booking.id) });
    for (const updates of [asGuest, asHost]) await expectUpdate(updates, booking.id, "CANCELLED");
  });

  it("with bookingId, hears of that booking only", async () => {
    const stay = await stayFixture(t);
    const [watched, other] = [
      await book(stay.guest, bookingInput(stay, nextDates())),
      await book(stay.guest, bookingInput(stay, nextDates())),
    ];
    const updates = watch(t, stay.guest, watched.id);
    await untilListening(t.app, "bookingUpdated", rawId(watched.id), rawId(watched.id), updates);

    // The other booking changes first: had its event leaked, it would arrive first.
    await stay.host.client.ok(DeclineBookingDocument, { input: { bookingId: other.id } });
    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: watched.id } });
    await expectUpdate(updates, watched.id, "CONFIRMED");
  });
});

describe("without bookingId: all the caller's bookings", () => {
  it("a host hears of bookings at their listings, a guest of their trips, a third user of neither", async () => {
    const stay = await stayFixture(t);
    const elsewhere = await stayFixture(t);
    const third = await factories(t).user().create();
    // A booking each stream may see, to probe with, and the third user's own.
    const first = await book(stay.guest, bookingInput(stay, nextDates()));
    const thirds = await book(third, bookingInput(elsewhere, nextDates()));
    const [asGuest, asHost, asThird] = [watch(t, stay.guest), watch(t, stay.host), watch(t, third)];
    await untilListening(t.app, "userBookingUpdated", stay.guest.id, rawId(first.id), asGuest);
    await untilListening(t.app, "userBookingUpdated", stay.host.id, rawId(first.id), asHost);
    await untilListening(t.app, "userBookingUpdated", third.id, rawId(thirds.id), asThird);

    // A new request, its acceptance, then a cancellation: guest and host hear each.
    const trip = await book(stay.guest, bookingInput(stay, nextDates()));
    for (const updates of [asGuest, asHost]) await expectUpdate(updates, trip.id, "PENDING");
    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: trip.id } });
    for (const updates of [asGuest, asHost]) await expectUpdate(updates, trip.id, "CONFIRMED");
    await stay.host.client.ok(DeclineBookingDocument, { input: { bookingId: first.id } });
    for (const updates of [asGuest, asHost]) await expectUpdate(updates, first.id, "DECLINED");

    // The third user's own booking changes last: a leaked event would have arrived before it.
    await third.client.ok(CancelBookingDocument, { input: cancelInput(thirds.id) });
    await expectUpdate(asThird, thirds.id, "CANCELLED");
    // And the other way round: the third user's change reached neither of the first two.
    await stay.guest.client.ok(CancelBookingDocument, { input: cancelInput(trip.id) });
    for (const updates of [asGuest, asHost]) await expectUpdate(updates, trip.id, "CANCELLED");
  });
});

describe("without Redis: the in-process event target", () => {
  let memory: TestApp;
  beforeAll(async () => {
    memory = await startTestApp({ clock, redis: false });
  });
  afterAll(async () => {
    await memory.close();
  });

  it("delivers bookingUpdated within one process", async () => {
    expect(memory.app.redis).toBeFalsy();
    const stay = await stayFixture(memory);
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    const [one, all] = [watch(memory, stay.guest, booking.id), watch(memory, stay.host)];
    await untilListening(memory.app, "bookingUpdated", rawId(booking.id), rawId(booking.id), one);
    await untilListening(memory.app, "userBookingUpdated", stay.host.id, rawId(booking.id), all);

    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
    for (const updates of [one, all]) await expectUpdate(updates, booking.id, "CONFIRMED");
    const next = await book(stay.guest, bookingInput(stay, nextDates()));
    await expectUpdate(all, next.id, "PENDING");
  });
});
