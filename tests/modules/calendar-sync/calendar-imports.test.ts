// addCalendarImport and removeCalendarImport end to end: the first sync as a job, URL rules and
// the SSRF switch, limits, and who may see and change a listing's imports.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddCalendarImportDocument,
  ListingCalendarDocument,
  ListingCalendarSyncDocument,
  RemoveCalendarImportDocument,
} from "../../../schema/generated/graphql.ts";
import type { Runner } from "graphile-worker";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { decodeGlobalId, encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { SYNC_TASK, syncCalendarImport } from "../../../src/modules/calendar-sync/sync.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf, type GraphQLClient } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";
import { FeedServer } from "./feed-server.ts";

// The listing's today is 2027-03-01 (Lisbon), so the fixtures' stays are ahead. Feeds other than
// the local server's are on .test names (RFC 2606): never a real host; their syncs fail quickly.
const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let runner: Runner;
let feeds: FeedServer;
let host: TestUser;
let otherHost: TestUser;

beforeAll(async () => {
  t = await startTestApp({
    clock,
    // The feeds are served from this machine: the tests' deployment allows private addresses.
    configure: (config) => {
      config.calendarSync.allowPrivateAddresses = true;
    },
  });
  feeds = await FeedServer.start();
  [host, otherHost] = await Promise.all([
    factories(t).user().host().create(),
    factories(t).user().host().create(),
  ]);
  runner = await t.startWorker();
});
afterAll(async () => {
  await feeds?.close();
  await t?.close();
});

const newListing = (owner = host, data: Partial<Listing> = {}) =>
  factories(t)
    .listing(owner)
    .listed()
    .with({ timeZone: "Europe/Lisbon", ...data })
    .create();
const globalId = (listing: { id: string }) => encodeGlobalId("Listing", listing.id);

const addImport = (client: GraphQLClient, listing: { id: string }, url: string) =>
  client.request(AddCalendarImportDocument, { input: { listingId: globalId(listing), url } });

async function unavailable(listing: { id: string }, from: string, to: string): Promise<string[]> {
  const data = await t.client.ok(ListingCalendarDocument, { id: globalId(listing), from, to });
  return (data.listing?.calendar ?? []).filter((night) => !night.available).map((night) => night.date);
}

/** Runs `body` with private feed addresses refused, as a default deployment does. */
async function withPrivateAddressesRefused<T>(body: () => Promise<T>): Promise<T> {
  t.app.config.calendarSync.allowPrivateAddresses = false;
  try {
    return await body();
  } finally {
    t.app.config.calendarSync.allowPrivateAddresses = true;
  }
}

describe("addCalendarImport", () => {
  it("imports a feed: its first sync runs at once, as a job, and blocks the feed's nights", async () => {
    const listing = await newListing();
    const url = feeds.serve(`/airbnb-${listing.id}.ics`, "airbnb.ics");
    const synced = jobsCompleted(runner, 1, (job) => job.task_identifier === SYNC_TASK);
    const added = await addImport(host.client, listing, url);
    expect(added.errors).toBeUndefined();
    const created = added.data!.addCalendarImport.calendarImport;
    expect(created).toMatchObject({ url, lastSyncedAt: null, lastError: null, eventCount: null });
    await synced;

    expect(await unavailable(listing, "2027-03-08", "2027-04-06")).toEqual([
      "2027-03-10",
      "2027-03-11",
      "2027-03-12",
      "2027-03-13",
      "2027-03-14",
      "2027-04-01",
      "2027-04-02",
      "2027-04-03",
    ]);
    const { listing: seen } = await host.client.ok(ListingCalendarSyncDocument, { id: globalId(listing) });
    expect(seen?.calendarImports).toEqual([
      {
        ...created,
        lastSyncedAt: clock.now().toISOString(),
        lastAttemptAt: clock.now().toISOString(),
        eventCount: 2,
      },
    ]);
    const holds = await t.app.db.calendarHold.findMany({ where: { listingId: listing.id } });
    expect(holds).toHaveLength(2);
    expect(holds.every((hold) => hold.kind === "BLOCK" && hold.sourceImportId !== null)).toBe(true);
  });

  it("takes https, http and webcal addresses, storing webcal as https", async () => {
    const listing = await newListing();
    for (const [given, stored] of [
      [
        "https://www.airbnb.test/calendar/ical/123.ics?s=abc",
        "https://www.airbnb.test/calendar/ical/123.ics?s=abc",
      ],
      ["http://admin.booking.test/hotel/ical/456.ics", "http://admin.booking.test/hotel/ical/456.ics"],
      ["webcal://p01-caldav.icloud.test/published/2/XYZ", "https://p01-caldav.icloud.test/published/2/XYZ"],
      ["  HTTPS://Calendar.Example.TEST  ", "https://calendar.example.test/"],
    ] as const) {
      const result = await addImport(host.client, listing, given);
      expect(result.errors, given).toBeUndefined();
      expect(result.data?.addCalendarImport.calendarImport.url).toBe(stored);
    }
  });

  it("refuses what is not an http(s) feed address, naming the field", async () => {
    const listing = await newListing();
    for (const [url, message] of [
      ["ftp://files.example.test/feed.ics", "must be an http(s) URL"],
      ["not a url", "must be an http(s) URL"],
      ["https://", "must be an http(s) URL"],
      ["https://user:secret@calendar.example.test/feed.ics", "must not contain a user name or password"],
      [`https://example.com/${"x".repeat(2100)}`, "must be at most 2048 characters"],
    ] as const) {
      const result = await addImport(host.client, listing, url);
      expect(codeOf(result), url).toBe("BAD_USER_INPUT");
      expect(fieldsOf(result), url).toEqual([{ path: "url", message }]);
    }
    expect(await t.app.db.calendarImport.count({ where: { listingId: listing.id } })).toBe(0);
  });

  it("refuses loopback, private and link-local addresses unless the deployment allows them", async () => {
    const listing = await newListing();
    await withPrivateAddressesRefused(async () => {
      for (const url of [
        "http://127.0.0.1:8080/feed.ics",
        "http://localhost/feed.ics",
        "http://10.0.0.7/feed.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed.ics",
        "http://calendar.internal/feed.ics",
        "http://2130706433/feed.ics", // 127.0.0.1 spelled as a number
      ]) {
        const result = await addImport(host.client, listing, url);
        expect(fieldsOf(result), url).toEqual([{ path: "url", message: "must point to a public host" }]);
      }
    });
    // Allowed (as here), the local feed server is a valid address.
    const result = await addImport(host.client, listing, `${feeds.url}/anything.ics`);
    expect(result.errors).toBeUndefined();
  });

  it("refuses the same feed twice on a listing (CONFLICT), and more than 10 feeds", async () => {
    const listing = await newListing();
    const first = await addImport(host.client, listing, "https://calendar.example.test/a.ics");
    expect(first.errors).toBeUndefined();
    expect(codeOf(await addImport(host.client, listing, "https://CALENDAR.example.test/a.ics"))).toBe(
      "CONFLICT",
    );
    // Another listing may import the same feed.
    const other = await newListing();
    expect(
      (await addImport(host.client, other, "https://calendar.example.test/a.ics")).errors,
    ).toBeUndefined();

    const more = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        addImport(host.client, listing, `https://calendar.example.test/${i}.ics`),
      ),
    );
    // Ten at most, however many arrive at once.
    expect(more.filter((result) => !result.errors)).toHaveLength(9);
    const refused = more.filter((result) => result.errors);
    expect(refused.map(codeOf)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT"]);
    expect(fieldsOf(refused[0]!)).toEqual([
      { path: "listingId", message: "already imports 10 calendars, the most a listing may" },
    ]);
    expect(await t.app.db.calendarImport.count({ where: { listingId: listing.id } })).toBe(10);
  });

  it("is the listing's host's: others are refused, drafts read as missing", async () => {
    const listing = await newListing();
    const draft = await factories(t).listing(host).create();
    const url = "https://calendar.example.test/mine.ics";
    expect(codeOf(await addImport(otherHost.client, listing, url))).toBe("FORBIDDEN");
    expect(codeOf(await addImport(otherHost.client, draft, url))).toBe("NOT_FOUND");
    expect(codeOf(await addImport(t.client, listing, url))).toBe("UNAUTHENTICATED");
    expect(codeOf(await addImport(host.client, { id: "00000000-0000-0000-0000-000000000000" }, url))).toBe(
      "NOT_FOUND",
    );
    expect(
      await t.app.db.calendarImport.count({ where: { listingId: { in: [listing.id, draft.id] } } }),
    ).toBe(0);
  });
});

describe("who sees imports", () => {
  it("shows a listing's imports and export URL to its host only", async () => {
    const listing = await newListing();
    const added = await host.client.ok(AddCalendarImportDocument, {
      input: { listingId: globalId(listing), url: "https://calendar.example.test/secret-token.ics" },
    });
    const importId = added.addCalendarImport.calendarImport.id;

    const mine = await host.client.ok(ListingCalendarSyncDocument, { id: globalId(listing) });
    expect(mine.listing?.calendarImports?.map((i) => i.id)).toEqual([importId]);
    expect(mine.listing?.calendarExportUrl).toMatch(/^http:\/\/localhost:\d+\/ical\/[A-Za-z0-9_-]{43}\.ics$/);

    for (const client of [otherHost.client, t.client]) {
      const theirs = await client.ok(ListingCalendarSyncDocument, { id: globalId(listing) });
      expect(theirs.listing).toEqual({
        id: globalId(listing),
        calendarExportUrl: null,
        calendarImports: null,
      });
      const node = await client.request(
        "query ($id: ID!) { node(id: $id) { id ... on CalendarImport { url } } }",
        { id: importId },
      );
      expect(codeOf(node)).toBe("NOT_FOUND");
    }
    const node = await host.client.ok<{ node: { url: string } }, { id: string }>(
      "query ($id: ID!) { node(id: $id) { id ... on CalendarImport { url } } }",
      { id: importId },
    );
    expect(node.node.url).toBe("https://calendar.example.test/secret-token.ics");
  });
});

describe("removeCalendarImport", () => {
  it("removes the import and its blocks, and no one else's", async () => {
    const listing = await newListing();
    const url = feeds.serve(`/remove-${listing.id}.ics`, "sync-before.ics");
    const added = await host.client.ok(AddCalendarImportDocument, {
      input: { listingId: globalId(listing), url },
    });
    const importId = added.addCalendarImport.calendarImport.id;
    // Synced here rather than waiting for the job (which may run too: a sync is idempotent).
    await syncCalendarImport(t.app, decodeGlobalId(importId).id);
    expect(await unavailable(listing, "2027-03-09", "2027-03-14")).toEqual([
      "2027-03-10",
      "2027-03-11",
      "2027-03-12",
    ]);

    const remove = (client: GraphQLClient, id = importId) =>
      client.request(RemoveCalendarImportDocument, { input: { calendarImportId: id } });
    expect(codeOf(await remove(otherHost.client))).toBe("NOT_FOUND");
    expect(codeOf(await remove(t.client))).toBe("UNAUTHENTICATED");
    expect(codeOf(await remove(host.client, globalId(listing)))).toBe("NOT_FOUND");
    expect(await unavailable(listing, "2027-03-09", "2027-03-14")).toHaveLength(3);

    const removed = await remove(host.client);
    expect(removed.errors).toBeUndefined();
    expect(removed.data?.removeCalendarImport).toEqual({
      removedCalendarImportId: importId,
      listing: { id: globalId(listing) },
    });
    expect(await unavailable(listing, "2027-03-09", "2027-03-14")).toEqual([]);
    expect(await t.app.db.calendarHold.count({ where: { listingId: listing.id } })).toBe(0);
    expect(codeOf(await remove(host.client))).toBe("NOT_FOUND");
  });
});
