// Syncing imported feeds into a listing's calendar: blocks follow the feed, bookings and the host's
// own blocks are never touched, conflicts are told once, failures keep the last good blocks, and
// every change reaches subscribers and cached reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddCalendarImportDocument,
  ListingCalendarDocument,
  ListingCalendarSyncDocument,
  NotificationsDocument,
  SearchListingsDocument,
  SetAvailabilityDocument,
} from "../../../schema/generated/graphql.ts";
import { formatCalendarDate } from "../../../src/core/calendar-date.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { decodeGlobalId, encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { isExclusionViolation } from "../../../src/infra/db-errors.ts";
import { queueDueSyncs } from "../../../src/modules/calendar-sync/jobs.ts";
import { SYNC_TASK, syncCalendarImport } from "../../../src/modules/calendar-sync/sync.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bookingInput, requestBooking } from "../../helpers/bookings.ts";
import { day, insertBookingRow } from "../../helpers/booking-rows.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { jobsCompleted, queuedJobs } from "../../helpers/jobs.ts";
import { subscribe } from "../../helpers/subscriber.ts";
import { FeedServer, fixture } from "./feed-server.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let feeds: FeedServer;
let host: TestUser;
let guest: TestUser;

beforeAll(async () => {
  t = await startTestApp({
    clock,
    configure: (config) => {
      config.calendarSync.allowPrivateAddresses = true;
      config.calendarSync.fetch = {
        ...config.calendarSync.fetch,
        readTimeoutMs: 400,
        totalTimeoutMs: 3_000,
        maxBytes: 200_000,
        maxRedirects: 3,
      };
    },
  });
  feeds = await FeedServer.start();
  [host, guest] = await Promise.all([factories(t).user().host().create(), factories(t).user().create()]);
});
afterAll(async () => {
  await feeds?.close();
  await t?.close();
});

const newListing = (data: Partial<Listing> = {}) =>
  factories(t)
    .listing(host)
    .listed()
    .with({ timeZone: "Europe/Lisbon", ...data })
    .create();
const globalId = (listing: { id: string }) => encodeGlobalId("Listing", listing.id);

/** A listing importing the feed served at a path of its own; returns the import's raw id. */
async function importing(listing: Listing, fixtureName: string): Promise<{ importId: string; path: string }> {
  const path = `/feeds/${listing.id}.ics`;
  const url = feeds.serve(path, fixtureName);
  const added = await host.client.ok(AddCalendarImportDocument, {
    input: { listingId: globalId(listing), url },
  });
  return { importId: decodeGlobalId(added.addCalendarImport.calendarImport.id).id, path };
}

/** Holds as "kind start..end" (imported blocks "IMPORTED"), in date order. */
async function holds(listing: { id: string }): Promise<string[]> {
  const rows = await t.app.db.calendarHold.findMany({
    where: { listingId: listing.id },
    orderBy: [{ startDate: "asc" }, { kind: "asc" }],
  });
  return rows.map(
    (row) =>
      `${row.sourceImportId ? "IMPORTED" : row.kind} ${formatCalendarDate(row.startDate)}..${formatCalendarDate(row.endDate)}`,
  );
}

async function unavailable(listing: { id: string }, from: string, to: string): Promise<string[]> {
  const data = await t.client.ok(ListingCalendarDocument, { id: globalId(listing), from, to });
  return (data.listing?.calendar ?? []).filter((night) => !night.available).map((night) => night.date);
}

const importState = (importId: string) =>
  t.app.db.calendarImport.findUniqueOrThrow({ where: { id: importId } });

describe("syncing a feed", () => {
  it("follows a feed that changes between syncs: a vanished event's block goes, a new one comes", async () => {
    const listing = await newListing();
    const { importId, path } = await importing(listing, "sync-before.ics");
    expect(await syncCalendarImport(t.app, importId)).toEqual({
      kind: "synced",
      added: 2,
      removed: 0,
      conflicts: 0,
    });
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-13",
      "IMPORTED 2027-03-20..2027-03-25",
    ]);
    const kept = await t.app.db.calendarHold.findFirstOrThrow({
      where: { listingId: listing.id, startDate: day("2027-03-10") },
    });

    // The same feed again: nothing to do.
    expect(await syncCalendarImport(t.app, importId)).toEqual({
      kind: "synced",
      added: 0,
      removed: 0,
      conflicts: 0,
    });

    feeds.serve(path, "sync-after.ics");
    expect(await syncCalendarImport(t.app, importId)).toEqual({
      kind: "synced",
      added: 1,
      removed: 1,
      conflicts: 0,
    });
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-13",
      "IMPORTED 2027-04-05..2027-04-07",
    ]);
    // The unchanged event keeps its block (the same row): nothing is rewritten needlessly.
    expect(await t.app.db.calendarHold.findUnique({ where: { id: kept.id } })).not.toBeNull();
    expect(await unavailable(listing, "2027-03-19", "2027-03-26")).toEqual([]);
  });

  it("reads real platforms' feeds into blocks, merged where events touch", async () => {
    const listing = await newListing();
    const { importId } = await importing(listing, "google-timed.ics");
    await syncCalendarImport(t.app, importId);
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-12",
      "IMPORTED 2027-03-19..2027-03-20",
      "IMPORTED 2027-04-01..2027-04-03",
      "IMPORTED 2027-04-10..2027-04-11",
      "IMPORTED 2027-04-24..2027-04-25",
      "IMPORTED 2027-05-01..2027-05-02",
      "IMPORTED 2027-06-01..2027-06-04", // three nightly occurrences, one block
      "IMPORTED 2027-07-03..2027-07-04",
      "IMPORTED 2027-07-11..2027-07-13",
    ]);
    expect((await importState(importId)).eventCount).toBe(11);
  });

  it("announces each change to subscribers and drops cached reads", async () => {
    const listing = await newListing();
    const { importId, path } = await importing(listing, "sync-before.ics");
    const dated = {
      filter: {
        near: { lat: 38.7223, lng: -9.1393, radiusKm: 5 },
        checkIn: "2027-03-21",
        checkOut: "2027-03-23",
      },
      first: 100,
    };
    const found = async () =>
      (await t.client.ok(SearchListingsDocument, dated)).searchListings.edges.some(
        (edge) => edge.node.id === globalId(listing),
      );
    // Read (and cached) before the sync.
    expect(await found()).toBe(true);
    expect(await unavailable(listing, "2027-03-20", "2027-03-25")).toEqual([]);

    const changes = await subscribe(t.app, "listingCalendarChanged", listing.id);
    try {
      await syncCalendarImport(t.app, importId);
      expect(await changes.next()).toEqual({ listingId: listing.id, from: "2027-03-10", to: "2027-03-25" });
      expect(await found()).toBe(false);
      expect(await unavailable(listing, "2027-03-20", "2027-03-25")).toHaveLength(5);

      feeds.serve(path, "sync-after.ics");
      await syncCalendarImport(t.app, importId);
      expect(await changes.next()).toEqual({ listingId: listing.id, from: "2027-03-20", to: "2027-04-07" });
      expect(await found()).toBe(true);
    } finally {
      await changes.close();
    }
  });

  it("shows the import's state to its host as soon as a sync ends", async () => {
    const listing = await newListing();
    const { importId, path } = await importing(listing, "airbnb.ics");
    const state = async () =>
      (await host.client.ok(ListingCalendarSyncDocument, { id: globalId(listing) })).listing
        ?.calendarImports?.[0];
    expect(await state()).toMatchObject({ lastSyncedAt: null, lastError: null });
    await syncCalendarImport(t.app, importId);
    expect(await state()).toMatchObject({ lastSyncedAt: clock.now().toISOString(), eventCount: 2 });
    feeds.set(path, { body: "gone", status: 410 });
    await syncCalendarImport(t.app, importId);
    expect(await state()).toMatchObject({ lastError: "The feed answered HTTP 410", eventCount: 2 });
  });
});

describe("what a sync never touches", () => {
  it("leaves the host's own blocks alone, and setAvailability leaves imported ones alone", async () => {
    const listing = await newListing();
    // The host's own block, overlapping the feed's 20–25 event.
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: globalId(listing),
        ranges: [{ start: "2027-03-18", end: "2027-03-22", available: false }],
      },
    });
    const { importId, path } = await importing(listing, "sync-before.ics");
    await syncCalendarImport(t.app, importId);
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-13",
      "BLOCK 2027-03-18..2027-03-22",
      "IMPORTED 2027-03-20..2027-03-25",
    ]);

    // Freeing nights frees the host's own block only; blocking next to an imported block keeps them apart.
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: globalId(listing),
        ranges: [
          { start: "2027-03-18", end: "2027-03-25", available: true },
          { start: "2027-03-13", end: "2027-03-15", available: false },
        ],
      },
    });
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-13",
      "BLOCK 2027-03-13..2027-03-15",
      "IMPORTED 2027-03-20..2027-03-25",
    ]);

    // The event goes from the feed: its block goes, the host's stays.
    feeds.serve(path, "sync-after.ics");
    await syncCalendarImport(t.app, importId);
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-13",
      "BLOCK 2027-03-13..2027-03-15",
      "IMPORTED 2027-04-05..2027-04-07",
    ]);
  });

  it("blocks around a booking, never over it, and tells the host once", async () => {
    const listing = await newListing();
    const booking = await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-10",
      checkOut: "2027-03-12",
      status: "CONFIRMED",
    });
    const { importId } = await importing(listing, "conflict.ics"); // an event 8–14
    expect(await syncCalendarImport(t.app, importId)).toEqual({
      kind: "synced",
      added: 2,
      removed: 0,
      conflicts: 1,
    });
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-08..2027-03-10",
      "BOOKING 2027-03-10..2027-03-12",
      "IMPORTED 2027-03-12..2027-03-14",
    ]);
    // Later syncs see the same conflict and stay quiet.
    await syncCalendarImport(t.app, importId);
    await syncCalendarImport(t.app, importId);
    const notices = await t.app.db.notification.findMany({
      where: { userId: host.id, type: "calendar.conflict" },
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      title: "Calendar conflict",
      data: { bookingId: booking.id, listingId: listing.id, calendarImportId: importId },
    });
    expect(notices[0]!.body).toContain("(2027-03-10 to 2027-03-12)");
    const listed = await host.client.ok(NotificationsDocument, { first: 5 });
    expect(listed.notifications.edges.map((edge) => edge.node.type)).toContain("calendar.conflict");
    // The guest hears nothing of it.
    expect(
      await t.app.db.notification.count({ where: { userId: guest.id, type: "calendar.conflict" } }),
    ).toBe(0);

    // Once the booking is cancelled, the event's nights are all blocked at the next sync.
    await t.app.db.booking.update({ where: { id: booking.id }, data: { status: "CANCELLED" } });
    await syncCalendarImport(t.app, importId);
    expect(await holds(listing)).toEqual(["IMPORTED 2027-03-08..2027-03-14"]);
  });

  it("keeps guests from booking imported nights", async () => {
    const listing = await newListing({ instantBook: true });
    const { importId } = await importing(listing, "airbnb.ics");
    await syncCalendarImport(t.app, importId);
    const refused = await requestBooking(
      guest,
      bookingInput({ listingId: globalId(listing) }, { checkIn: "2027-03-14", checkOut: "2027-03-16" }),
    );
    expect(codeOf(refused)).toBe("DATES_UNAVAILABLE");
    const booked = await requestBooking(
      guest,
      bookingInput({ listingId: globalId(listing) }, { checkIn: "2027-03-15", checkOut: "2027-03-17" }),
    );
    expect(booked.errors).toBeUndefined();
  });

  it("is held by the database too: imported blocks never overlap a booking", async () => {
    const listing = await newListing();
    const { importId } = await importing(listing, "airbnb.ics");
    await syncCalendarImport(t.app, importId); // blocks 10–15 March and 1–4 April
    const outcome = (write: Promise<unknown>) =>
      write.then(
        () => "ok",
        (error: unknown) => (isExclusionViolation(error) ? "refused" : String(error)),
      );
    // A booking over an imported block: the bookings trigger's hold is refused.
    expect(
      await outcome(
        insertBookingRow(t, {
          listing,
          guest,
          checkIn: "2027-03-12",
          checkOut: "2027-03-13",
          status: "PENDING",
        }),
      ),
    ).toBe("refused");
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-06-01",
      checkOut: "2027-06-05",
      status: "PENDING",
    });
    const block = (start: string, end: string, sourceImportId: string | null) =>
      outcome(
        t.app.db.calendarHold.create({
          data: {
            listingId: listing.id,
            kind: "BLOCK",
            sourceImportId,
            startDate: day(start),
            endDate: day(end),
          },
        }),
      );
    expect(await block("2027-06-03", "2027-06-08", importId)).toBe("refused"); // imported, over the booking
    expect(await block("2027-06-05", "2027-06-08", importId)).toBe("ok"); // next to it
    expect(await block("2027-06-06", "2027-06-09", importId)).toBe("ok"); // over another imported block
    expect(await block("2027-06-07", "2027-06-10", null)).toBe("ok"); // the host's own, over imported ones
    expect(await block("2027-06-09", "2027-06-12", null)).toBe("refused"); // own over own, as ever
    expect(await block("2027-06-04", "2027-06-05", null)).toBe("refused"); // own over a booking, as ever
  });
});

describe("when a feed fails", () => {
  it("keeps the last good blocks and records why, for each way a fetch goes wrong", async () => {
    const listing = await newListing();
    const { importId, path } = await importing(listing, "sync-before.ics");
    await syncCalendarImport(t.app, importId);
    const good = await holds(listing);
    const lastGood = (await importState(importId)).lastSyncedAt;

    feeds.set("/loop-a", { redirect: "/loop-b" });
    feeds.set("/loop-b", { redirect: "/loop-a" });
    for (const [route, reason] of [
      ["stall", /^Timed out waiting for 127\.0\.0\.1:\d+ to answer$/],
      [{ streamBytes: 1_000_000 }, /^The feed is larger than 200 kB$/],
      [{ redirect: "/loop-a" }, /^Too many redirects \(more than 3\)$/],
      [
        { body: fixture("not-a-calendar.html"), contentType: "text/html" },
        /^The address did not return an iCalendar feed \(text\/html\)$/,
      ],
      [
        {
          body: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2027\r\n",
          contentType: "text/calendar",
        },
        /^The feed is not valid iCalendar/,
      ],
      [{ body: "oops", status: 500 }, /^The feed answered HTTP 500$/],
    ] as const) {
      clock.advance(60_000);
      feeds.set(path, route);
      const outcome = await syncCalendarImport(t.app, importId);
      expect(outcome.kind, String(reason)).toBe("failed");
      const state = await importState(importId);
      expect(state.lastError).toMatch(reason);
      expect(state.lastAttemptAt).toEqual(clock.now());
      expect(state.lastSyncedAt).toEqual(lastGood);
      expect(await holds(listing)).toEqual(good);
    }

    // Back to health: the error clears.
    feeds.serve(path, "sync-after.ics");
    expect((await syncCalendarImport(t.app, importId)).kind).toBe("synced");
    expect(await importState(importId)).toMatchObject({ lastError: null, lastSyncedAt: clock.now() });
  });

  it("refuses, at fetch time, a feed on a private address once the deployment stops allowing them", async () => {
    const listing = await newListing();
    const { importId } = await importing(listing, "sync-before.ics");
    t.app.config.calendarSync.allowPrivateAddresses = false;
    try {
      expect(await syncCalendarImport(t.app, importId)).toEqual({
        kind: "failed",
        error: "127.0.0.1 is not a public host",
      });
    } finally {
      t.app.config.calendarSync.allowPrivateAddresses = true;
    }
    expect(await holds(listing)).toEqual([]);
  });

  it("does nothing for an import removed meanwhile", async () => {
    const listing = await newListing();
    const { importId } = await importing(listing, "sync-before.ics");
    await t.app.db.calendarImport.delete({ where: { id: importId } });
    expect(await syncCalendarImport(t.app, importId)).toEqual({ kind: "gone" });
  });
});

describe("the periodic sync", () => {
  it("queues each import whose last attempt is older than the interval, once, and the worker runs it", async () => {
    const listing = await newListing();
    const due = await importing(listing, "sync-before.ics");
    const fresh = await importing(await newListing(), "sync-before.ics");
    await syncCalendarImport(t.app, fresh.importId); // just attempted: not due
    await t.app.db.calendarImport.update({
      where: { id: due.importId },
      data: { lastAttemptAt: new Date(clock.now().getTime() - 2 * 3_600_000) },
    });
    // Without the jobs queued when imports were added, only what is due gets queued.
    await t.app.db.$executeRaw`
      SELECT graphile_worker.remove_job(key) FROM graphile_worker.jobs WHERE task_identifier = ${SYNC_TASK}`;
    await queueDueSyncs(t.app);
    await queueDueSyncs(t.app); // twice: still one job per import
    const queued = (await queuedJobs(t.app.db, SYNC_TASK)).map((job) => job.key);
    expect(queued.filter((key) => key === `calendar_sync:${due.importId}`)).toHaveLength(1);
    expect(queued).not.toContain(`calendar_sync:${fresh.importId}`);
    // Every other import of this file was attempted "now" (the clock stands still) or never:
    // those never attempted are due too.
    const neverAttempted = await t.app.db.calendarImport.count({ where: { lastAttemptAt: null } });
    expect(queued).toHaveLength(1 + neverAttempted);

    const runner = await t.startWorker();
    await jobsCompleted(runner, queued.length, (job) => job.task_identifier === SYNC_TASK);
    expect((await importState(due.importId)).lastSyncedAt).toEqual(clock.now());
    expect(await holds(listing)).toEqual([
      "IMPORTED 2027-03-10..2027-03-13",
      "IMPORTED 2027-03-20..2027-03-25",
    ]);
  });
});
