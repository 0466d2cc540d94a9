// listingCalendarChanged over a real port with the graphql-sse client, within one process and across two.
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import {
  ListingCalendarChangedDocument,
  type ListingCalendarChangedSubscription,
  SetAvailabilityDocument,
} from "../../../schema/generated/graphql.ts";
import { type App, createApp } from "../../../src/app.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startHttpServer } from "../../../src/server.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { GraphQLClient } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { type SseSubscription, subscribeOverSse } from "../../helpers/sse.ts";
import { untilSubscribed } from "../../helpers/subscriber.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let host: TestUser;

beforeAll(async () => {
  t = await startTestApp({ clock });
  host = await factories(t).user().host().create();
});
afterAll(async () => {
  await t.close();
});

/** listingCalendarChanged over graphql-sse (distinct connections mode), ended with the test. */
function subscribe(url: string, listingId: string, accessToken?: string) {
  const subscription = subscribeOverSse(url, ListingCalendarChangedDocument, { listingId }, accessToken);
  onTestFinished(() => subscription.dispose());
  return subscription;
}

type Subscription = SseSubscription<ListingCalendarChangedSubscription>;

/**
 * Waits until the subscription receives events: the SSE response starts before the server
 * has subscribed, so an event published at once could be missed. With Redis, until
 * `processes` API processes listen on the listing's channel; in memory, by a first-event
 * handshake.
 */
async function untilListening(
  app: App,
  subscription: Subscription,
  listingId: string,
  processes = 1,
): Promise<void> {
  if (!app.redis) return handshake(app, subscription, listingId);
  await untilSubscribed(app, `listingCalendarChanged:${listingId}`, processes);
}

/**
 * In memory there is no one to ask: publish probe events (each naming another night) until
 * one arrives. Every probe published after it arrives too, in order, and is drained here.
 */
async function handshake(app: App, subscription: Subscription, listingId: string): Promise<void> {
  const probeNight = (index: number) => `2030-01-${String(index + 1).padStart(2, "0")}`;
  for (let sent = 0; sent < 20; sent++) {
    const from = probeNight(sent);
    await app.pubsub.publish("listingCalendarChanged", listingId, { listingId, from, to: "2030-02-01" });
    const event = await subscription.next(100).catch(() => undefined);
    if (!event) continue;
    const arrived = Number(event.data?.listingCalendarChanged.from.slice(8)) - 1;
    for (let late = arrived + 1; late <= sent; late++) await subscription.next();
    return;
  }
  throw new Error("the subscription received none of 20 probe events");
}

const blockRange = { start: "2027-03-10", end: "2027-03-12", available: false, nightlyPrice: 15_000 };

describe("listingCalendarChanged", () => {
  it("tells an anonymous subscriber which nights changed, as they are now", async () => {
    const listing = await factories(t).listing(host).listed().create();
    const listingId = encodeGlobalId("Listing", listing.id);
    const subscription = subscribe(t.url, listingId);
    await subscription.connected;
    await untilListening(t.app, subscription, listing.id);

    await host.client.ok(SetAvailabilityDocument, { input: { listingId, ranges: [blockRange] } });

    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    expect(event.data?.listingCalendarChanged).toEqual({
      listingId,
      from: "2027-03-10",
      to: "2027-03-12",
      days: ["2027-03-10", "2027-03-11"].map((date) => ({
        date,
        available: false,
        nightlyPrice: { amount: 15_000, currency: "EUR", formatted: "€150.00" },
      })),
    });
  });

  it("covers every range of one call in a single event", async () => {
    const listing = await factories(t).listing(host).listed().create();
    const listingId = encodeGlobalId("Listing", listing.id);
    const subscription = subscribe(t.url, listingId);
    await subscription.connected;
    await untilListening(t.app, subscription, listing.id);

    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId,
        ranges: [
          { start: "2027-03-20", end: "2027-03-21", available: false },
          { start: "2027-03-17", end: "2027-03-18", available: true, nightlyPrice: 12_000 },
        ],
      },
    });

    const change = (await subscription.next()).data?.listingCalendarChanged;
    expect(change).toMatchObject({ from: "2027-03-17", to: "2027-03-21" });
    expect(change?.days.map((night) => [night.date, night.available, night.nightlyPrice.amount])).toEqual([
      ["2027-03-17", true, 12_000],
      ["2027-03-18", true, 10_000],
      ["2027-03-19", true, 10_000],
      ["2027-03-20", false, 10_000],
    ]);
  });

  it("answers NOT_FOUND for a draft, except to its host", async () => {
    const draft = await factories(t).listing(host).create();
    const listingId = encodeGlobalId("Listing", draft.id);
    const stranger = subscribe(t.url, listingId);
    const refusal = await stranger.next();
    expect(refusal.status).toBe(404);
    expect(refusal.errors?.[0]).toMatchObject({ extensions: { code: "NOT_FOUND" } });

    const own = subscribe(t.url, listingId, host.accessToken);
    await own.connected;
    await untilListening(t.app, own, draft.id);
    await host.client.ok(SetAvailabilityDocument, { input: { listingId, ranges: [blockRange] } });
    expect((await own.next()).data?.listingCalendarChanged.days).toHaveLength(2);
  });

  it.skipIf(!inject("redisUrl"))("reaches a subscriber on another process through Redis", async () => {
    // A second process of the same deployment: same database, Redis and secrets, its own
    // connections, pub/sub and HTTP port.
    const other = await createApp(t.app.config, { databaseUrl: t.database.url, clock });
    const otherServer = await startHttpServer(other, 0, "127.0.0.1");
    try {
      const listing = await factories(t).listing(host).listed().create();
      const listingId = encodeGlobalId("Listing", listing.id);
      const subscription = subscribe(otherServer.url, listingId);
      await subscription.connected;
      await untilListening(other, subscription, listing.id);

      // The change is made on the first process; the event arrives on the second.
      await host.client.ok(SetAvailabilityDocument, { input: { listingId, ranges: [blockRange] } });
      const event = await subscription.next();
      expect(event.data?.listingCalendarChanged).toMatchObject({
        listingId,
        from: "2027-03-10",
        to: "2027-03-12",
      });
      expect(event.data?.listingCalendarChanged.days.map((night) => night.available)).toEqual([false, false]);

      // And the other way round: a change through the second process reaches the first.
      const back = subscribe(t.url, listingId);
      await back.connected;
      await untilListening(t.app, back, listing.id, 2);
      const viaOther = new GraphQLClient(`${otherServer.url}/graphql`).as(host.accessToken);
      await viaOther.ok(SetAvailabilityDocument, {
        input: { listingId, ranges: [{ start: "2027-03-10", end: "2027-03-11", available: true }] },
      });
      expect((await back.next()).data?.listingCalendarChanged).toMatchObject({
        from: "2027-03-10",
        to: "2027-03-11",
      });
      subscription.dispose();
      back.dispose();
    } finally {
      await otherServer.close(1_000);
      await other.close();
    }
  });
});
