// Suspending and reinstating users. A suspension, in one transaction on the locked user row: the
// user is marked suspended (log-in and refresh refuse them from then on), every live session is
// revoked (their access tokens fail on the very next request, in every process: accounts/sessions),
// and each of their listings is suspended with them, remembering the status it returns to. A
// reinstatement lifts exactly that: listings an admin suspended directly stay suspended.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { badInput, invalidState, notFound } from "../../core/errors.ts";
import type { User } from "../../generated/prisma/client.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { revokeSessionsIn } from "../accounts/sessions.ts";
import { recordAction } from "./audit.ts";
import { reinstateListingsWithHost, suspendListingsWithHost } from "./listings.ts";
import { noticeAccount } from "./notices.ts";

/** The user row, locked for the rest of the transaction (log-in reads it under a share lock). */
async function lockedUser(tx: Tx, userId: string): Promise<User> {
  await tx.$queryRaw`SELECT id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("User");
  return user;
}

export async function suspendUser(
  actor: UserActor,
  input: { userId: string; reason: string },
  app: App,
): Promise<User> {
  if (input.userId === actor.userId) {
    throw badInput(
      [{ path: "userId", message: "must not be yourself" }],
      "An admin cannot suspend themselves",
    );
  }
  return unitOfWork(app, async (tx, effects) => {
    const user = await lockedUser(tx, input.userId);
    if (user.suspendedAt) throw invalidState("The user is already suspended");
    const suspendedAt = app.clock.now();
    const updated = await tx.user.update({ where: { id: user.id }, data: { suspendedAt } });
    const sessionsRevoked = await revokeSessionsIn(tx, effects, app, { userId: user.id }, "user-suspended");
    const listings = await suspendListingsWithHost(tx, effects, app, actor, user.id, input);
    const auditId = await recordAction(tx, actor, {
      action: "user.suspended",
      entityType: "User",
      entityId: user.id,
      reason: input.reason,
      before: { suspendedAt: null },
      after: { suspendedAt: suspendedAt.toISOString() },
      extra: { sessionsRevoked, listings },
    });
    await noticeAccount(tx, effects, app, user.id, "suspended", auditId);
    return updated;
  });
}

export async function reinstateUser(
  actor: UserActor,
  input: { userId: string; reason: string },
  app: App,
): Promise<User> {
  return unitOfWork(app, async (tx, effects) => {
    const user = await lockedUser(tx, input.userId);
    if (!user.suspendedAt) throw invalidState("The user is not suspended");
    const updated = await tx.user.update({ where: { id: user.id }, data: { suspendedAt: null } });
    const listings = await reinstateListingsWithHost(tx, effects, app, actor, user.id, input);
    const auditId = await recordAction(tx, actor, {
      action: "user.reinstated",
      entityType: "User",
      entityId: user.id,
      reason: input.reason,
      before: { suspendedAt: user.suspendedAt.toISOString() },
      after: { suspendedAt: null },
      extra: { listings },
    });
    await noticeAccount(tx, effects, app, user.id, "reinstated", auditId);
    return updated;
  });
}
