// A listing's iCalendar export for other platforms: its secret URL (GET /ical/{token}.ics, no
// auth: the token is the secret), rotating it, and the feed itself. The feed holds booked nights
// (PENDING and CONFIRMED bookings) and the host's own blocks as all-day events, with no guest
// data at all. Blocks imported from other calendars are left out: a platform importing our feed
// would otherwise re-import its own events, and the echo would keep a block it cancelled alive.
import { randomBytes } from "node:crypto";
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { addDays } from "../../core/calendar-date.ts";
import { contractErrorOf } from "../../infra/db-errors.ts";
import { etagOf, notModified } from "../../http/etag.ts";
import type { Db } from "../../infra/db.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import type { Listing } from "../../generated/prisma/client.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { listingToday } from "../listings/calendar.ts";
import { audit, lockedListing } from "../listings/service.ts";
import { type ExportEvent, writeCalendar } from "./ical-writer.ts";

/** 32 random bytes as base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const EXPORT_ROUTE = /^\/ical\/([^/]+)\.ics$/;
export const EXPORT_PREFIX = "/ical/";

export const EXPORT_LIMITS = {
  /** Nights already past that the feed still shows, so a stay under way stays visible. */
  pastDays: 30,
  eventsMax: 5_000,
} as const;

const newToken = (): string => randomBytes(32).toString("base64url");

export const exportUrlOf = (app: Pick<App, "config">, token: string): string =>
  `${app.config.apiUrl}/ical/${token}.ics`;

/** The listing's export token, made on first use. */
export async function exportToken(db: Db, listingId: string): Promise<string> {
  const existing = await db.calendarExport.findUnique({ where: { listingId }, select: { token: true } });
  if (existing) return existing.token;
  // One statement, so concurrent first uses agree on the token that won (and no read of it
  // can miss the row it just wrote).
  const [made] = await db.$queryRaw<Array<{ token: string }>>`
    INSERT INTO calendar_exports (listing_id, token) VALUES (${listingId}::uuid, ${newToken()})
    ON CONFLICT (listing_id) DO UPDATE SET token = calendar_exports.token
    RETURNING token`;
  if (!made) throw new Error("calendar export token not written");
  return made.token;
}

/**
 * A new secret for the listing's export: the old URL answers 404 from the commit on. The caller
 * has been authorized as the listing's host (the `listingOwner` scope).
 */
export async function rotateCalendarExportUrl(
  actor: UserActor,
  input: { listingId: string },
  app: App,
): Promise<Listing> {
  const { listingId } = input;
  return unitOfWork(app, async (tx, effects) => {
    const listing = await lockedListing(tx, listingId);
    const token = newToken();
    await tx.calendarExport.upsert({
      where: { listingId },
      create: { listingId, token },
      update: { token, createdAt: app.clock.now() },
    });
    await audit(tx, actor, "listing.calendar_export_rotated", listingId);
    // The host's cached listing answers show the old URL.
    effects.afterCommit(() => app.cache.invalidate(listingCacheTags.listing(listingId)));
    return listing;
  });
}

/** The feed behind a token, or undefined when no listing has it (never had, or rotated away). */
export async function exportFeed(app: Pick<App, "db" | "clock" | "config">, token: string) {
  if (!TOKEN.test(token)) return undefined;
  const found = await app.db.calendarExport.findUnique({
    where: { token },
    select: { listing: { select: { id: true, title: true, timeZone: true } } },
  });
  if (!found) return undefined;
  const { listing } = found;
  const holds = await app.db.calendarHold.findMany({
    where: {
      listingId: listing.id,
      sourceImportId: null,
      endDate: { gt: addDays(listingToday(app.clock, listing), -EXPORT_LIMITS.pastDays) },
    },
    select: {
      id: true,
      startDate: true,
      endDate: true,
      createdAt: true,
      booking: { select: { id: true, status: true, updatedAt: true } },
    },
    orderBy: [{ startDate: "asc" }, { id: "asc" }],
    take: EXPORT_LIMITS.eventsMax,
  });
  const domain = new URL(app.config.apiUrl).hostname;
  const events = holds.map((hold): ExportEvent =>
    hold.booking
      ? {
          // Per booking, not per hold: the hold row is rewritten when the booking changes.
          uid: `booking-${hold.booking.id}@${domain}`,
          stamp: hold.booking.updatedAt,
          start: hold.startDate,
          end: hold.endDate,
          summary: "Reserved",
          status: hold.booking.status === "PENDING" ? "TENTATIVE" : "CONFIRMED",
        }
      : {
          uid: `block-${hold.id}@${domain}`,
          stamp: hold.createdAt,
          start: hold.startDate,
          end: hold.endDate,
          summary: "Not available",
          status: "CONFIRMED",
        },
  );
  return writeCalendar({ name: `Roost: ${listing.title}`, events });
}

type ResponseClass = {
  new (body?: BodyInit | null, init?: ResponseInit): Response;
  json(data: unknown, init?: ResponseInit): Response;
};

/** Answers GET (and HEAD) /ical/{token}.ics. `fetchAPI` is the server's (Yoga's) Response. */
export async function handleCalendarExport(
  app: App,
  request: Request,
  fetchAPI: { Response: ResponseClass } = globalThis,
): Promise<Response> {
  const { Response } = fetchAPI;
  const failure = (status: number, code: string, message: string, headers?: HeadersInit) =>
    Response.json({ error: { code, message } }, { status, headers });
  if (request.method !== "GET" && request.method !== "HEAD") {
    return failure(405, "NOT_FOUND", "A calendar feed is read with GET", { allow: "GET, HEAD" });
  }
  const token = EXPORT_ROUTE.exec(new URL(request.url).pathname)?.[1];
  let body: string | undefined;
  try {
    body = token ? await exportFeed(app, token) : undefined;
  } catch (error) {
    const known = contractErrorOf(error);
    if (!known) app.logger.error({ err: error }, "calendar export failed");
    const retryAfter = known?.retryAfter;
    return failure(
      known?.status ?? 500,
      known?.code ?? "INTERNAL_SERVER_ERROR",
      known?.message ?? "The calendar could not be read",
      retryAfter ? { "retry-after": String(retryAfter) } : undefined,
    );
  }
  if (body === undefined) return failure(404, "NOT_FOUND", "No such calendar");
  const etag = etagOf(body);
  const headers = {
    "content-type": "text/calendar; charset=utf-8",
    etag,
    // The URL is a secret: no shared cache keeps it; a calendar client revalidates by ETag.
    "cache-control": "private, no-cache",
    "x-robots-tag": "noindex",
  };
  if (notModified(request.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : body, { headers });
}
