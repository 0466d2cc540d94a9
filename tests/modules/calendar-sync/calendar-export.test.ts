// A listing's iCalendar export over real HTTP: GET /ical/{token}.ics as other platforms read it,
// valid RFC 5545 with bookings and the host's blocks and nothing about guests, ETags, and the
// secret URL's rotation.
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddCalendarImportDocument,
  ListingCalendarSyncDocument,
  RotateCalendarExportUrlDocument,
  SetAvailabilityDocument,
} from "../../../schema/generated/graphql.ts";
import { decodeGlobalId, encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { syncCalendarImport } from "../../../src/modules/calendar-sync/sync.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { insertBookingRow } from "../../helpers/booking-rows.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { FeedServer } from "./feed-server.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let feeds: FeedServer;
let host: TestUser;
let guest: TestUser;
let otherHost: TestUser;

beforeAll(async () => {
  t = await startTestApp({
    clock,
    configure: (config) => {
      config.calendarSync.allowPrivateAddresses = true;
      config.apiUrl = "https://api.roost.example";
    },
  });
  feeds = await FeedServer.start();
  [host, guest, otherHost] = await Promise.all([
    factories(t).user().host().create(),
    factories(t).user().named("Gustavo", "Guestington").create(),
    factories(t).user().host().create(),
  ]);
});
afterAll(async () => {
  await feeds?.close();
  await t?.close();
});

const newListing = () =>
  factories(t)
    .listing(host)
    .listed()
    .with({ timeZone: "Europe/Lisbon", title: "Casa do Avô, Alfama" })
    .create();
const globalId = (listing: { id: string }) => encodeGlobalId("Listing", listing.id);

async function exportUrl(listing: { id: string }, client = host.client): Promise<string> {
  const { listing: seen } = await client.ok(ListingCalendarSyncDocument, { id: globalId(listing) });
  if (!seen?.calendarExportUrl) throw new Error("no export URL");
  return seen.calendarExportUrl;
}

/** The export URL as served by the test server (API_URL is the deployment's, not its port). */
const local = (url: string) => url.replace("https://api.roost.example", t.url);

interface FeedEvent {
  uid: string;
  start: string;
  end: string;
  isDate: boolean;
  summary: string;
  status: string;
  stamp: string;
}

function eventsOf(text: string): FeedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      start: event.startDate.toString(),
      end: event.endDate.toString(),
      isDate: event.startDate.isDate && event.endDate.isDate,
      summary: event.summary,
      status: String(component.getFirstPropertyValue("status")),
      stamp: String(component.getFirstPropertyValue("dtstamp")),
    };
  });
}

describe("GET /ical/{token}.ics", () => {
  it("serves booked and blocked nights as valid RFC 5545, with nothing about guests", async () => {
    const listing = await newListing();
    const pending = await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-20",
      checkOut: "2027-03-23",
      status: "PENDING",
    });
    const confirmed = await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-04-02",
      checkOut: "2027-04-09",
      status: "CONFIRMED",
    });
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-05-01",
      checkOut: "2027-05-03",
      status: "CANCELLED",
    });
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: globalId(listing),
        ranges: [{ start: "2027-03-10", end: "2027-03-13", available: false }],
      },
    });
    // A block imported from another platform is not exported back to it.
    const added = await host.client.ok(AddCalendarImportDocument, {
      input: { listingId: globalId(listing), url: feeds.serve(`/export-${listing.id}.ics`, "vrbo.ics") },
    });
    await syncCalendarImport(t.app, decodeGlobalId(added.addCalendarImport.calendarImport.id).id);

    const url = await exportUrl(listing);
    expect(url).toMatch(/^https:\/\/api\.roost\.example\/ical\/[A-Za-z0-9_-]{43}\.ics$/);
    const response = await fetch(local(url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const text = await response.text();

    // RFC 5545's framing: CRLF after every line, lines of at most 75 octets, the required properties.
    expect(
      text.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roost//Calendar export 1.0//EN\r\n"),
    ).toBe(true);
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of text.split("\r\n"))
      expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);

    const block = await t.app.db.calendarHold.findFirstOrThrow({
      where: { listingId: listing.id, kind: "BLOCK", sourceImportId: null },
    });
    expect(eventsOf(text)).toEqual([
      {
        uid: `block-${block.id}@api.roost.example`,
        start: "2027-03-10",
        end: "2027-03-13", // DTEND exclusive: the nights of the 10th, 11th and 12th
        isDate: true,
        summary: "Not available",
        status: "CONFIRMED",
        stamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      },
      {
        uid: `booking-${pending.id}@api.roost.example`,
        start: "2027-03-20",
        end: "2027-03-23",
        isDate: true,
        summary: "Reserved",
        status: "TENTATIVE",
        stamp: expect.any(String),
      },
      {
        uid: `booking-${confirmed.id}@api.roost.example`,
        start: "2027-04-02",
        end: "2027-04-09",
        isDate: true,
        summary: "Reserved",
        status: "CONFIRMED",
        stamp: expect.any(String),
      },
    ]);
    for (const secret of [guest.email, "Gustavo", "Guestington", guest.id])
      expect(text).not.toContain(secret);
  });

  it("keeps each event's UID as bookings change, and answers 304 while nothing changed", async () => {
    const listing = await newListing();
    const booking = await insertBookingRow(t, {
      listing,
      guest,
      checkIn: "2027-03-20",
      checkOut: "2027-03-23",
      status: "PENDING",
    });
    const url = local(await exportUrl(listing));
    const first = await fetch(url);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    const body = await first.text();

    const again = await fetch(url, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(await (await fetch(url)).text()).toBe(body); // byte for byte

    // Confirmed: the booking's hold row is rewritten by the trigger, its event keeps its UID.
    await t.app.db.booking.update({ where: { id: booking.id }, data: { status: "CONFIRMED" } });
    const changed = await fetch(url, { headers: { "if-none-match": etag! } });
    expect(changed.status).toBe(200);
    const events = eventsOf(await changed.text());
    expect(events.map((event) => [event.uid, event.status])).toEqual([
      [`booking-${booking.id}@api.roost.example`, "CONFIRMED"],
    ]);
    expect(changed.headers.get("etag")).not.toBe(etag);

    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(changed.headers.get("etag"));
  });

  it("answers 404 for tokens no listing has, and 405 to anything but GET", async () => {
    const listing = await newListing();
    const url = local(await exportUrl(listing));
    for (const path of [
      "/ical/not-a-token.ics",
      `/ical/${"A".repeat(43)}.ics`,
      `${new URL(url).pathname.replace(".ics", "")}`,
      `${new URL(url).pathname}/x`,
    ]) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: "No such calendar" } });
    }
    const post = await fetch(url, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("Listing.calendarExportUrl and rotateCalendarExportUrl", () => {
  it("is the host's only, stable until rotated, and a rotated URL answers 404", async () => {
    const listing = await newListing();
    const before = await exportUrl(listing);
    expect(await exportUrl(listing)).toBe(before);
    expect((await fetch(local(before))).status).toBe(200);
    const theirs = await otherHost.client.ok(ListingCalendarSyncDocument, { id: globalId(listing) });
    expect(theirs.listing?.calendarExportUrl).toBeNull();

    const rotate = (client = host.client) =>
      client.request(RotateCalendarExportUrlDocument, { input: { listingId: globalId(listing) } });
    expect(codeOf(await rotate(otherHost.client))).toBe("FORBIDDEN");
    expect(codeOf(await rotate(t.client))).toBe("UNAUTHENTICATED");
    expect((await fetch(local(before))).status).toBe(200);

    const rotated = await rotate();
    expect(rotated.errors).toBeUndefined();
    const after = rotated.data!.rotateCalendarExportUrl.listing.calendarExportUrl!;
    expect(after).not.toBe(before);
    expect((await fetch(local(before))).status).toBe(404);
    expect((await fetch(local(after))).status).toBe(200);
    // The host's cached listing shows the new URL at once.
    expect(await exportUrl(listing)).toBe(after);
    const audit = await t.app.db.auditLog.findFirst({
      where: { entityId: listing.id, action: "listing.calendar_export_rotated" },
    });
    expect(audit?.actorId).toBe(host.id);
  });

  it("gives every listing its own unguessable token, even asked for at once", async () => {
    const listing = await newListing();
    const urls = await Promise.all(Array.from({ length: 5 }, () => exportUrl(listing)));
    expect(new Set(urls).size).toBe(1);
    const other = await newListing();
    expect(await exportUrl(other)).not.toBe(urls[0]);
    const tokens = await t.app.db.calendarExport.findMany({
      where: { listingId: { in: [listing.id, other.id] } },
    });
    for (const { token } of tokens) expect(Buffer.from(token, "base64url")).toHaveLength(32);
  });
});
