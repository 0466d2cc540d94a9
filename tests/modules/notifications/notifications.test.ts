// The caller's notifications over the API, with real rows made by bookings: the list (newest
// first, keyset pages, unreadOnly), the unread count, node(id) for the owner only,
// markNotificationsRead (named or all, all-or-nothing), and notificationAdded over SSE.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  MarkNotificationsReadDocument,
  NotificationAddedDocument,
  type NotificationAddedSubscription,
  NotificationDocument,
  NotificationsDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, rawId, type Stay, stayFixture, staySequence } from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { type SseSubscription, subscribeOverSse } from "../../helpers/sse.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let stranger: TestUser;
beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.startWorker();
  stranger = await factories(t).user().create();
});
afterAll(() => t.close());

/** Distinct dates per booking, so bookings in this file never compete for nights. */
const nextDates = staySequence("2027-04-01", 2);

/** Requests a stay and waits for its notices ("requested", to guest and host); the booking's raw id. */
async function requestStay(stay: Stay): Promise<string> {
  const bookingId = rawId((await book(stay.guest, bookingInput(stay, nextDates()))).id);
  const noticed = () =>
    t.app.db.notification.count({ where: { data: { path: ["bookingId"], equals: bookingId } } });
  // The notice job runs on the worker; its rows appear together (one transaction).
  for (const started = Date.now(); (await noticed()) < 2;) {
    if (Date.now() - started > 10_000) throw new Error(`no notices for booking ${bookingId} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return bookingId;
}

const list = (user: TestUser, variables: { unreadOnly?: boolean; first?: number; after?: string } = {}) =>
  user.client.ok(NotificationsDocument, variables);

describe("notifications", () => {
  it("lists the caller's own, newest first, in keyset pages, with the unread count", async () => {
    const stay = await stayFixture(t);
    const bookings = [await requestStay(stay), await requestStay(stay), await requestStay(stay)];

    const first = await list(stay.host, { first: 2 });
    expect(first.unreadNotificationCount).toBe(3);
    expect(first.notifications.totalCount).toBe(3);
    expect(first.notifications.pageInfo.hasNextPage).toBe(true);
    const second = await list(stay.host, { first: 2, after: first.notifications.pageInfo.endCursor! });
    expect(second.notifications.pageInfo.hasNextPage).toBe(false);
    const nodes = [...first.notifications.edges, ...second.notifications.edges].map((edge) => edge.node);
    expect(nodes.map((n) => n.bookingId)).toEqual(
      [...bookings].reverse().map((id) => encodeGlobalId("Booking", id)),
    );
    for (const node of nodes) {
      expect(node).toMatchObject({ type: "booking.requested", title: "New booking request", readAt: null });
      expect(node.body).toContain(stay.listing.title);
    }
    expect(Date.parse(nodes[0]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(nodes[2]!.createdAt));

    // The guest has their own three; anyone else none.
    const guest = await list(stay.guest);
    expect(guest.notifications.edges.map((edge) => edge.node.title)).toEqual(
      Array(3).fill("Booking request sent"),
    );
    expect(await list(stranger)).toMatchObject({
      unreadNotificationCount: 0,
      notifications: { totalCount: 0, edges: [] },
    });
    const anonymous = await t.client.request(NotificationsDocument, {});
    expect(codeOf(anonymous)).toBe("UNAUTHENTICATED");
  });

  it("shows a notification through node(id) to its owner only", async () => {
    const stay = await stayFixture(t);
    await requestStay(stay);
    const [edge] = (await list(stay.host)).notifications.edges;
    const id = edge!.node.id;
    expect((await stay.host.client.ok(NotificationDocument, { id })).node).toMatchObject({
      id,
      type: "booking.requested",
    });
    for (const other of [stay.guest, stranger, await factories(t).user().admin().create()]) {
      expect(codeOf(await other.client.request(NotificationDocument, { id }))).toBe("NOT_FOUND");
    }
  });

  it("marks named notifications read once, all-or-nothing, then all of them", async () => {
    const stay = await stayFixture(t);
    await requestStay(stay);
    await requestStay(stay);
    const [newest, older] = (await list(stay.host)).notifications.edges.map((edge) => edge.node.id);
    const [guestsOwn] = (await list(stay.guest)).notifications.edges.map((edge) => edge.node.id);
    const mark = (user: TestUser, notificationIds?: string[] | null) =>
      user.client.request(MarkNotificationsReadDocument, { input: { notificationIds } });

    // One of them not the caller's (or no notification at all): NOT_FOUND, and nothing is marked.
    for (const ids of [
      [newest!, guestsOwn!],
      [newest!, "not-an-id"],
      [newest!, stay.listingId],
    ]) {
      expect(codeOf(await mark(stay.host, ids))).toBe("NOT_FOUND");
    }
    expect((await list(stay.host)).unreadNotificationCount).toBe(2);

    const marked = (await mark(stay.host, [newest!])).data!.markNotificationsRead;
    expect(marked).toMatchObject({ markedCount: 1, unreadCount: 1, notifications: [{ id: newest }] });
    const readAt = marked.notifications[0]!.readAt;
    expect(readAt).not.toBeNull();
    // Again: nothing newly read, and the first read time stays.
    const again = (await mark(stay.host, [newest!])).data!.markNotificationsRead;
    expect(again).toMatchObject({ markedCount: 0, unreadCount: 1, notifications: [{ id: newest, readAt }] });

    const unread = await list(stay.host, { unreadOnly: true });
    expect(unread.notifications.edges.map((edge) => edge.node.id)).toEqual([older]);
    expect(unread.notifications.totalCount).toBe(1);

    const all = (await mark(stay.host, null)).data!.markNotificationsRead;
    expect(all).toEqual({ markedCount: 1, unreadCount: 0, notifications: [] });
    expect((await list(stay.host, { unreadOnly: true })).notifications.edges).toEqual([]);
    // The guest's are theirs: untouched.
    expect((await list(stay.guest)).unreadNotificationCount).toBe(2);

    const tooMany = await mark(
      stay.host,
      Array.from({ length: 101 }, () => newest!),
    );
    expect(codeOf(tooMany)).toBe("BAD_USER_INPUT");
    expect(codeOf(await t.client.request(MarkNotificationsReadDocument, { input: {} }))).toBe(
      "UNAUTHENTICATED",
    );
  });
});

type Arrivals = SseSubscription<NotificationAddedSubscription>;

function watch(user: TestUser | undefined): Arrivals {
  const arrivals = subscribeOverSse(t.url, NotificationAddedDocument, {}, user?.accessToken);
  onTestFinished(() => arrivals.dispose());
  return arrivals;
}

/**
 * Waits until the stream receives events: the SSE response starts before the server has
 * subscribed. Probe notifications (rows of the user's, each published once) are sent until one
 * arrives; those sent after it arrive too, in order, and are drained.
 */
async function untilListening(user: TestUser, arrivals: Arrivals): Promise<void> {
  const probes: string[] = [];
  let arrived = -1;
  while (arrived === -1) {
    if (probes.length >= 50) throw new Error("none of 50 probes arrived");
    const probe = await t.app.db.notification.create({
      data: { userId: user.id, type: "test.probe", title: `probe ${probes.length}`, body: "" },
    });
    probes.push(encodeGlobalId("Notification", probe.id));
    await t.app.pubsub.publish("notificationAdded", user.id, { notificationId: probe.id });
    const event = await arrivals.next(100).catch(() => undefined);
    if (event) arrived = probes.indexOf(event.data?.notificationAdded.id ?? "");
    if (event && arrived === -1) throw new Error(`not a probe: ${JSON.stringify(event)}`);
  }
  for (const late of probes.slice(arrived + 1)) {
    expect((await arrivals.next()).data?.notificationAdded.id).toBe(late);
  }
}

describe("notificationAdded", () => {
  it("delivers each new notification to its owner once committed, and to nobody else", async () => {
    const stay = await stayFixture(t);
    const [hosts, guests, strangers] = [watch(stay.host), watch(stay.guest), watch(stranger)];
    await untilListening(stay.host, hosts);
    await untilListening(stay.guest, guests);
    await untilListening(stranger, strangers);

    const bookingId = encodeGlobalId("Booking", await requestStay(stay));
    const [toHost, toGuest] = [await hosts.next(), await guests.next()];
    expect(toHost.errors).toBeUndefined();
    expect(toHost.data?.notificationAdded).toMatchObject({
      type: "booking.requested",
      title: "New booking request",
      bookingId,
      readAt: null,
    });
    expect(toGuest.data?.notificationAdded).toMatchObject({ title: "Booking request sent", bookingId });
    // What arrived is the row the list shows.
    const [listed] = (await list(stay.host, { first: 1 })).notifications.edges;
    expect(listed?.node).toEqual(toHost.data?.notificationAdded);
    await expect(strangers.next(300)).rejects.toThrow(/no event/);
  });

  it("refuses anonymous callers with UNAUTHENTICATED", async () => {
    const refused = await watch(undefined).next();
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
