// A host's calendar imports: adding one (its first sync runs at once, as a job) and removing one
// with the blocks it kept. The feed's URL usually carries the other platform's secret, so it is
// shown to the host only and never written to logs or audit rows (its host name is).
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { AppError, badInput, notFound } from "../../core/errors.ts";
import { httpUrlProblem, publicHttpUrlProblem } from "../../http/public-address.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import type { CalendarImport, Listing } from "../../generated/prisma/client.ts";
import { canManageListing } from "../listings/access.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { announceCalendarChange } from "../listings/calendar.ts";
import { audit, lockedListing } from "../listings/service.ts";
import { hostOf, SYNC_MAX_ATTEMPTS, SYNC_TASK, syncJobKey } from "./sync.ts";

/** Feeds one listing may import (limits.ts bounds Listing.calendarImports by it). */
export const CALENDAR_IMPORTS_MAX = 10;

/**
 * The URL as stored: trimmed, webcal:// (what calendar apps hand out) read as https://, and
 * normalized so the same feed given twice is one. An http(s) URL without credentials; its host
 * must be public unless the deployment allows private addresses (checked again at every fetch).
 */
export function feedUrlOf(value: string, app: Pick<App, "config">): string {
  const given = value.trim().replace(/^webcals?:\/\//i, "https://");
  const problem = app.config.calendarSync.allowPrivateAddresses
    ? httpUrlProblem(given)
    : publicHttpUrlProblem(given);
  if (problem) throw badInput([{ path: "url", message: problem }]);
  return new URL(given).href;
}

/** Imports the feed into the listing's calendar. Authorized as the listing's host (`listingOwner`). */
export async function addCalendarImport(
  actor: UserActor,
  input: { listingId: string; url: string },
  app: App,
): Promise<CalendarImport> {
  const { listingId } = input;
  const url = feedUrlOf(input.url, app);
  const max = CALENDAR_IMPORTS_MAX;
  return unitOfWork(
    app,
    async (tx, effects) => {
      // Locked: concurrent adds count one after the other, so the limit holds.
      await lockedListing(tx, listingId);
      if ((await tx.calendarImport.count({ where: { listingId } })) >= max) {
        throw badInput(
          [{ path: "listingId", message: `already imports ${max} calendars, the most a listing may` }],
          `A listing imports at most ${max} calendars`,
        );
      }
      const created = await tx.calendarImport.create({ data: { listingId, url } });
      await effects.addJob(
        SYNC_TASK,
        { calendarImportId: created.id },
        { jobKey: syncJobKey(created.id), maxAttempts: SYNC_MAX_ATTEMPTS },
      );
      await audit(tx, actor, "listing.calendar_import_added", listingId, {
        calendarImportId: created.id,
        host: hostOf(url),
      });
      // The host's cached listing answers list the imports.
      effects.afterCommit(() => app.cache.invalidate(listingCacheTags.listing(listingId)));
      return created;
    },
    { errors: { unique: new AppError("CONFLICT", "The listing already imports this calendar") } },
  );
}

/**
 * Removes the import and every block it kept. An import the caller does not manage is NOT_FOUND,
 * as if it did not exist (its existence is the other host's business).
 */
export async function removeCalendarImport(
  actor: UserActor,
  input: { calendarImportId: string },
  app: App,
): Promise<Listing> {
  const { calendarImportId } = input;
  return unitOfWork(app, async (tx, effects) => {
    const found = await tx.calendarImport.findUnique({
      where: { id: calendarImportId },
      select: { listingId: true, url: true, listing: { select: { hostId: true } } },
    });
    if (!found || !canManageListing(actor, found.listing)) throw notFound("Calendar import");
    // The same lock as a sync of this listing: a sync running now commits before or after, whole.
    const listing = await lockedListing(tx, found.listingId);
    const blocks = await tx.calendarHold.findMany({
      where: { sourceImportId: calendarImportId },
      select: { startDate: true, endDate: true },
    });
    // Removed meanwhile by a concurrent call: that one answers, this one finds nothing.
    const { count } = await tx.calendarImport.deleteMany({ where: { id: calendarImportId } });
    if (count === 0) throw notFound("Calendar import");
    // Blocks go with it (the foreign key cascades); a pending sync job goes too.
    await tx.$executeRaw`SELECT graphile_worker.remove_job(${syncJobKey(calendarImportId)})`;
    await audit(tx, actor, "listing.calendar_import_removed", listing.id, {
      calendarImportId,
      host: hostOf(found.url),
    });
    if (blocks.length > 0) {
      const from = new Date(Math.min(...blocks.map((block) => block.startDate.getTime())));
      const to = new Date(Math.max(...blocks.map((block) => block.endDate.getTime())));
      announceCalendarChange(effects, app, { listingId: listing.id, from, to });
    } else {
      effects.afterCommit(() => app.cache.invalidate(listingCacheTags.listing(listing.id)));
    }
    return listing;
  });
}
