// Suspending and reinstating listings: directly (suspendListing, reinstateListing) and with their
// host (user suspension, users.ts). Each change is made on the locked listing row with its audit
// row in the same transaction; cached listing pages and the search pages around the listing go
// after commit, since a SUSPENDED listing is shown to its host and admins only. Bookings already
// made are left as they are; new ones and quotes are refused while it is SUSPENDED.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { invalidState } from "../../core/errors.ts";
import type { Listing, Prisma } from "../../generated/prisma/client.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { publishIssues } from "../listings/rules.ts";
import { invalidateListingAfterCommit, lockedListing } from "../listings/service.ts";
import { recordAction } from "./audit.ts";
import { noticeGuestsOfSuspension, noticeHostOfReinstatement, noticeHostOfSuspension } from "./notices.ts";
import {
  isSuspendedFor,
  lifted,
  type SuspensionCause,
  type SuspensionState,
  suspended,
} from "./suspension.ts";

const stateOf = (listing: SuspensionState): Prisma.InputJsonObject => ({
  status: listing.status,
  suspendedFrom: listing.suspendedFrom,
  suspendedDirectly: listing.suspendedDirectly,
  suspendedWithHost: listing.suspendedWithHost,
});

interface Change {
  action: string;
  reason: string;
  extra?: Prisma.InputJsonObject;
}

/** Writes the listing's new suspension state and its audit row; its cached reads go after commit. */
async function applyState(
  tx: Tx,
  effects: Effects,
  app: App,
  actor: UserActor,
  listing: Listing,
  next: SuspensionState,
  change: Change,
): Promise<{ listing: Listing; auditId: string }> {
  const updated = await tx.listing.update({
    where: { id: listing.id },
    data: {
      status: next.status,
      suspendedFrom: next.suspendedFrom,
      suspendedDirectly: next.suspendedDirectly,
      suspendedWithHost: next.suspendedWithHost,
    },
  });
  const auditId = await recordAction(tx, actor, {
    action: change.action,
    entityType: "Listing",
    entityId: listing.id,
    reason: change.reason,
    before: stateOf(listing),
    after: stateOf(updated),
    extra: change.extra,
  });
  invalidateListingAfterCommit(effects, app, updated);
  return { listing: updated, auditId };
}

/**
 * The state once `cause` is lifted, except that a listing no longer fit to be LISTED (its host
 * removed its photos or description while it was suspended) returns UNLISTED instead.
 */
async function liftedState(
  tx: Tx,
  listing: Listing,
  cause: SuspensionCause,
): Promise<{ next: SuspensionState; unfit: boolean } | null> {
  const next = lifted(listing, cause);
  if (!next) return null;
  if (next.status !== "LISTED") return { next, unfit: false };
  const photos = await tx.listingPhoto.count({ where: { listingId: listing.id } });
  if (publishIssues(listing, photos).length === 0) return { next, unfit: false };
  return { next: { ...next, status: "UNLISTED" }, unfit: true };
}

export async function suspendListing(
  actor: UserActor,
  input: { listingId: string; reason: string },
  app: App,
): Promise<Listing> {
  return unitOfWork(app, async (tx, effects) => {
    const listing = await lockedListing(tx, input.listingId);
    const next = suspended(listing, "DIRECT");
    if (!next) throw invalidState("The listing is already suspended");
    const change = await applyState(tx, effects, app, actor, listing, next, {
      action: "listing.suspended",
      reason: input.reason,
    });
    // Suspended with its host already: host and guests were told then.
    if (listing.status !== "SUSPENDED") {
      await noticeHostOfSuspension(tx, effects, app, listing, change.auditId);
      await noticeGuestsOfSuspension(tx, effects, app, listing, change.auditId);
    }
    return change.listing;
  });
}

export async function reinstateListing(
  actor: UserActor,
  input: { listingId: string; reason: string },
  app: App,
): Promise<Listing> {
  return unitOfWork(app, async (tx, effects) => {
    const listing = await lockedListing(tx, input.listingId);
    const lift = await liftedState(tx, listing, "DIRECT");
    if (!lift) {
      throw invalidState(
        listing.status === "SUSPENDED"
          ? "The listing is suspended with its host: reinstate the host's account"
          : "The listing is not suspended",
      );
    }
    const change = await applyState(tx, effects, app, actor, listing, lift.next, {
      action: "listing.reinstated",
      reason: input.reason,
      ...(lift.unfit && { extra: { note: "returned UNLISTED: no longer has what publishing needs" } }),
    });
    if (change.listing.status !== "SUSPENDED") {
      await noticeHostOfReinstatement(tx, effects, app, change.listing, change.auditId);
    }
    return change.listing;
  });
}

/** The host's listings, locked in id order (as every multi-listing write takes them). */
async function lockedListingsOf(tx: Tx, hostId: string): Promise<Listing[]> {
  await tx.$queryRaw`SELECT id FROM listings WHERE host_id = ${hostId}::uuid ORDER BY id FOR UPDATE`;
  return tx.listing.findMany({ where: { hostId }, orderBy: { id: "asc" } });
}

/**
 * Inside a user's suspension: suspends each of their listings with them (remembering the status
 * each returns to) and tells the guests of their upcoming bookings. Returns the listings changed.
 */
export async function suspendListingsWithHost(
  tx: Tx,
  effects: Effects,
  app: App,
  actor: UserActor,
  hostId: string,
  cause: { reason: string },
): Promise<Array<{ id: string; before: string; after: string }>> {
  const changed: Array<{ id: string; before: string; after: string }> = [];
  for (const listing of await lockedListingsOf(tx, hostId)) {
    const next = suspended(listing, "HOST");
    if (!next) continue;
    const change = await applyState(tx, effects, app, actor, listing, next, {
      action: "listing.suspended_with_host",
      reason: cause.reason,
      extra: { cause: { action: "user.suspended", userId: hostId } },
    });
    if (listing.status !== "SUSPENDED") {
      await noticeGuestsOfSuspension(tx, effects, app, listing, change.auditId);
    }
    changed.push({ id: listing.id, before: listing.status, after: change.listing.status });
  }
  return changed;
}

/** Inside a user's reinstatement: lifts the host's suspension from each listing it suspended. */
export async function reinstateListingsWithHost(
  tx: Tx,
  effects: Effects,
  app: App,
  actor: UserActor,
  hostId: string,
  cause: { reason: string },
): Promise<Array<{ id: string; before: string; after: string }>> {
  const changed: Array<{ id: string; before: string; after: string }> = [];
  for (const listing of await lockedListingsOf(tx, hostId)) {
    if (!isSuspendedFor(listing, "HOST")) continue;
    const lift = await liftedState(tx, listing, "HOST");
    if (!lift) continue;
    const change = await applyState(tx, effects, app, actor, listing, lift.next, {
      action: "listing.reinstated_with_host",
      reason: cause.reason,
      extra: {
        cause: { action: "user.reinstated", userId: hostId },
        ...(lift.unfit && { note: "returned UNLISTED: no longer has what publishing needs" }),
      },
    });
    changed.push({ id: listing.id, before: listing.status, after: change.listing.status });
  }
  return changed;
}
