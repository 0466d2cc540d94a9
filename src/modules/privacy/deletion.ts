// deleteMyAccount: erases a user in one transaction, after their password. Refused while they
// have a stay to honour (a PENDING or CONFIRMED booking as guest or host) or money to receive (a
// payout not yet paid). The user row stays as a tombstone ("Deleted user", an undeliverable
// address, no password), so bookings, payments, the ledger and other people's conversations and
// reviews keep pointing at something; everything personal goes:
//
// | what                                  | becomes                                                      |
// | ------------------------------------- | ------------------------------------------------------------ |
// | e-mail, names, avatar, bio, password  | tombstone values; the e-mail is free for a new sign-up      |
// | sessions and refresh tokens           | revoked at once in every process, then deleted              |
// | messages they wrote                   | ERASED_MESSAGE_BODY (the other side's messages stay)        |
// | booking notes, cancel/decline reasons | erased where they wrote them                                |
// | reviews they wrote                    | kept, shown as by "Deleted user"; their replies erased      |
// | listings                              | LISTED ones UNLISTED, block notes erased, cached reads gone |
// | wishlists, notifications, exports     | deleted, with the e-mails sent to them and any still queued |
// | others' notifications about them      | their name and quoted messages erased (and the e-mail copy) |
// | audit rows of theirs                  | kept without the IP address                                 |
//
// Concurrency: their listings, then their user row, are locked first (the order requestBooking
// locks in), so a booking committing meanwhile is seen and refuses the deletion, and a write that
// comes after it is refused by the database (migration 20261201170200_privacy).
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { badInput, invalidState, unauthenticated } from "../../core/errors.ts";
import type { User } from "../../generated/prisma/client.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { verifyPassword } from "../accounts/password.ts";
import { accountPasswordRule } from "../accounts/service.ts";
import { revokeSessionsIn } from "../accounts/sessions.ts";
import { listingCacheTags, listingWriteTags } from "../listings/cache-tags.ts";
import {
  DELETED_USER_NAME,
  ERASED_MESSAGE_BODY,
  ERASED_PASSWORD_HASH,
  eraseFromOthersNotifications,
  erasedEmail,
} from "./erasure.ts";

export interface DeletedAccount {
  user: User;
  deletedAt: Date;
}

const wrongPassword = () =>
  badInput([{ path: "password", message: "is incorrect" }], "The password is incorrect");

export async function deleteMyAccount(
  actor: UserActor,
  input: { password: string },
  app: App,
): Promise<DeletedAccount> {
  const user = await app.db.user.findUnique({ where: { id: actor.userId } });
  if (!user || user.deletedAt) throw unauthenticated("This account has been deleted");
  // A password check like logIn's, under the same lock.
  const rule = accountPasswordRule(app.config);
  await app.rateLimiter.hit(rule, user.email);
  if (!(await verifyPassword(user.passwordHash, input.password))) throw wrongPassword();
  await app.rateLimiter.reset(rule, user.email);

  const deletedAt = app.clock.now();
  return unitOfWork(app, async (tx, effects) => {
    const listings = await tx.$queryRaw<Array<{ id: string; lat: number; lng: number }>>`
      SELECT id::text, lat, lng FROM listings WHERE host_id = ${user.id}::uuid ORDER BY id FOR UPDATE`;
    const [current] = await tx.$queryRaw<Array<{ passwordHash: string; deletedAt: Date | null }>>`
      SELECT password_hash AS "passwordHash", deleted_at AS "deletedAt" FROM users
      WHERE id = ${user.id}::uuid FOR UPDATE`;
    if (!current || current.deletedAt) throw unauthenticated("This account has been deleted");
    // Only over the hash just verified: a password changed meanwhile makes this one stale.
    if (current.passwordHash !== user.passwordHash) throw wrongPassword();
    await refuseWhileOwed(tx, user.id);

    const counts = await eraseAccount(tx, user);
    counts.sessionsEnded = await revokeSessionsIn(tx, effects, app, { userId: user.id }, "account-deleted");
    await tx.session.deleteMany({ where: { userId: user.id } });
    const deleted = await tx.user.update({
      where: { id: user.id },
      data: {
        email: erasedEmail(user.id),
        firstName: DELETED_USER_NAME,
        lastName: "",
        avatarUrl: null,
        bio: null,
        passwordHash: ERASED_PASSWORD_HASH,
        role: user.role === "ADMIN" ? "GUEST" : user.role,
        deletedAt,
      },
    });
    await tx.auditLog.create({
      data: {
        actorId: user.id,
        action: "account.deleted",
        entityType: "User",
        entityId: user.id,
        data: counts,
        requestId: actor.origin?.requestId ?? null,
      },
    });
    // Their name and avatar are on cached pages: their listings', and any with their reviews.
    effects.afterCommit(() =>
      app.cache.invalidate(
        listingCacheTags.user(user.id),
        ...listings.flatMap((listing) => listingWriteTags(listing.id, listing)),
      ),
    );
    return { user: deleted, deletedAt };
  });
}

/** INVALID_STATE while a stay is still to be honoured or a payout still to be paid. */
async function refuseWhileOwed(tx: Tx, userId: string): Promise<void> {
  const [liveStays, unpaidPayouts] = await Promise.all([
    tx.booking.count({
      where: { OR: [{ guestId: userId }, { hostId: userId }], status: { in: ["PENDING", "CONFIRMED"] } },
    }),
    tx.payout.count({ where: { hostId: userId, status: { in: ["SCHEDULED", "FAILED"] } } }),
  ]);
  const reasons = [
    ...(liveStays ? [`${liveStays} upcoming or ongoing stay(s) as guest or host`] : []),
    ...(unpaidPayouts ? [`${unpaidPayouts} payout(s) not yet paid to you`] : []),
  ];
  if (reasons.length) {
    throw invalidState(
      `Your account cannot be deleted while you have ${reasons.join(" and ")}: cancel the stays or wait until they are over and paid`,
    );
  }
}

/** Everything but the user row and the sessions; returns what it changed, as counts (the audit row's data). */
async function eraseAccount(tx: Tx, user: User): Promise<Record<string, number>> {
  const userId = user.id;
  // First: it finds the notifications quoting their messages by those messages' sender.
  const notificationsRewritten = await eraseFromOthersNotifications(tx, {
    userId,
    firstName: user.firstName,
    lastName: user.lastName,
  });
  const unlisted = await tx.listing.updateMany({
    where: { hostId: userId, status: "LISTED" },
    data: { status: "UNLISTED" },
  });
  await tx.calendarHold.updateMany({
    where: { listing: { hostId: userId }, note: { not: null } },
    data: { note: null },
  });
  const messages = await tx.message.updateMany({
    where: { senderId: userId },
    data: { body: ERASED_MESSAGE_BODY },
  });
  await tx.booking.updateMany({
    where: { guestId: userId, message: { not: null } },
    data: { message: null },
  });
  await tx.booking.updateMany({
    where: { guestId: userId, cancelledBy: "GUEST", cancelReason: { not: null } },
    data: { cancelReason: null },
  });
  await tx.booking.updateMany({
    where: {
      hostId: userId,
      OR: [{ cancelledBy: "HOST" }, { status: "DECLINED" }],
      cancelReason: { not: null },
    },
    data: { cancelReason: null },
  });
  await tx.review.updateMany({
    where: { subjectId: userId, response: { not: null } },
    data: { response: null, respondedAt: null },
  });
  // Their listings' calendar feeds: import URLs are the host's own (often secret) links to other
  // platforms, and export tokens would keep serving their calendar. Imported blocks go with them.
  await tx.calendarImport.deleteMany({ where: { listing: { hostId: userId } } });
  await tx.calendarExport.deleteMany({ where: { listing: { hostId: userId } } });
  // Reports they made stay in the moderation queue (what was reported, and when), without their words.
  await tx.report.updateMany({ where: { reporterId: userId }, data: { reason: "[reason erased]" } });
  await tx.wishlist.deleteMany({ where: { userId } });
  await tx.notification.deleteMany({ where: { userId } });
  await tx.dataExport.deleteMany({ where: { userId } });
  await tx.idempotencyKey.deleteMany({ where: { userId } });
  await tx.auditLog.updateMany({ where: { actorId: userId, ip: { not: null } }, data: { ip: null } });
  await tx.emailOutbox.deleteMany({ where: { toAddress: user.email } });
  // E-mails to them still queued (not those being sent this instant: graphile-worker keeps a
  // locked job). The payload, which holds their address and name, is only in its private table.
  const [unsent] = await tx.$queryRaw<Array<{ count: number }>>`
    SELECT count(*)::int AS count FROM graphile_worker.complete_jobs(ARRAY(
      SELECT job.id FROM graphile_worker._private_jobs job
      JOIN graphile_worker._private_tasks task ON task.id = job.task_id
      WHERE task.identifier = 'send_email' AND job.payload ->> 'to' = ${user.email}))`;
  return {
    listingsUnlisted: unlisted.count,
    messagesErased: messages.count,
    notificationsRewritten,
    emailsUnsent: unsent?.count ?? 0,
    sessionsEnded: 0,
  };
}
