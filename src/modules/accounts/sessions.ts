// Sessions (refresh-token families): who a live session belongs to now, and revocation,
// written to PostgreSQL and marked in the shared store so every API process rejects the
// session's access tokens at once.
import type { App } from "../../app.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { UserRole } from "../../generated/prisma/enums.ts";
import { type Effects, type Tx, unitOfWork } from "../../infra/unit-of-work.ts";

const revokedKey = (sessionId: string) => `session-revoked:${sessionId}`;

/** A session that may act, and its user's role as stored now. */
export interface LiveSession {
  userId: string;
  role: UserRole;
}

/**
 * Revokes the live sessions matching the filter inside the caller's unit of work; once it
 * commits, this process forgets them and the store marks them. Returns how many were live.
 */
export async function revokeSessionsIn(
  tx: Tx,
  effects: Effects,
  app: App,
  where: Prisma.SessionWhereInput,
  reason: string,
): Promise<number> {
  const revoked = await tx.session.updateManyAndReturn({
    where: { ...where, revokedAt: null },
    data: { revokedAt: app.clock.now(), revokeReason: reason },
    select: { id: true },
  });
  const ids = revoked.map((session) => session.id);
  if (ids.length) effects.afterCommit(() => markRevoked(app, ids, reason));
  return ids.length;
}

/** Revokes sessions matching the filter, in a unit of work of its own. */
export const revokeSessions = (app: App, where: Prisma.SessionWhereInput, reason: string): Promise<number> =>
  unitOfWork(app, (tx, effects) => revokeSessionsIn(tx, effects, app, where, reason));

async function markRevoked(app: App, ids: readonly string[], reason: string): Promise<void> {
  forgetLiveSessions(app, ids);
  // Access tokens outlive nothing longer than their TTL, so the mark need not either.
  const ttl = app.config.auth.accessTokenTtlSeconds;
  await Promise.all(ids.map((id) => app.kv.set(revokedKey(id), reason, ttl))).catch((error: unknown) =>
    app.logger.warn(
      { err: error },
      "could not mark revoked sessions in the store; other processes see it within 30 s",
    ),
  );
}

/**
 * The session's user and current role, or undefined when it is revoked or unknown. A
 * session marked in the shared store is revoked at once, in every process. Otherwise
 * PostgreSQL decides, reading the session and its user's role in one statement; a live
 * answer is remembered here briefly, so a mark lost with a Redis outage delays a revocation
 * by at most LIVE_SESSION_MEMORY_MS, never forever. Answers carrying a role that grants
 * more than every user has (ADMIN) are not remembered: a demotion applies at once.
 */
export async function liveSession(app: App, sessionId: string): Promise<LiveSession | undefined> {
  try {
    if (await app.kv.exists(revokedKey(sessionId))) return undefined;
  } catch (error) {
    app.logger.warn({ err: error }, "session store unavailable; checking the database");
  }
  const memory = liveSessions(app);
  const now = Date.now();
  const remembered = memory.get(sessionId);
  if (remembered && remembered.until > now) return remembered.session;

  const row = await app.db.session.findUnique({
    where: { id: sessionId },
    select: { revokedAt: true, userId: true, user: { select: { role: true, suspendedAt: true } } },
  });
  // A suspended user's sessions are revoked with the suspension; this also covers one begun in a race.
  if (!row || row.revokedAt !== null || row.user.suspendedAt !== null) {
    memory.delete(sessionId);
    return undefined;
  }
  const session = { userId: row.userId, role: row.user.role };
  if (!PRIVILEGED_ROLES.has(session.role)) {
    if (memory.size >= 10_000) memory.clear();
    memory.set(sessionId, { session, until: now + LIVE_SESSION_MEMORY_MS });
  }
  return session;
}

const PRIVILEGED_ROLES: ReadonlySet<UserRole> = new Set(["ADMIN"]);
const LIVE_SESSION_MEMORY_MS = 30_000;

interface Remembered {
  session: LiveSession;
  until: number;
}
const liveSessionsByApp = new WeakMap<App, Map<string, Remembered>>();

function liveSessions(app: App): Map<string, Remembered> {
  let memory = liveSessionsByApp.get(app);
  if (!memory) {
    memory = new Map();
    liveSessionsByApp.set(app, memory);
  }
  return memory;
}

/** Forgets remembered answers for these sessions in this process (revocation here is immediate). */
function forgetLiveSessions(app: App, sessionIds: readonly string[]): void {
  const memory = liveSessions(app);
  for (const id of sessionIds) memory.delete(id);
}
