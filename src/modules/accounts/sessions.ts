// Session (refresh-token family) revocation: written to PostgreSQL, and marked in the
// shared store so every API process rejects the session's access tokens at once.
import type { App } from "../../app.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

const revokedKey = (sessionId: string) => `session-revoked:${sessionId}`;

/** Revokes sessions matching the filter; returns how many were live. */
export async function revokeSessions(
  app: App,
  where: Prisma.SessionWhereInput,
  reason: string,
): Promise<number> {
  const now = app.clock.now();
  const sessions = await app.db.session.findMany({
    where: { ...where, revokedAt: null },
    select: { id: true },
  });
  if (sessions.length === 0) return 0;
  const ids = sessions.map((session) => session.id);
  await app.db.session.updateMany({
    where: { id: { in: ids }, revokedAt: null },
    data: { revokedAt: now, revokeReason: reason },
  });
  forgetLiveSessions(app, ids);
  // Access tokens outlive nothing longer than their TTL, so the mark need not either.
  const ttl = app.config.auth.accessTokenTtlSeconds;
  await Promise.all(ids.map((id) => app.kv.set(revokedKey(id), reason, ttl))).catch((error) =>
    app.logger.warn(
      { err: error },
      "could not mark revoked sessions in the store; other processes see it within 30 s",
    ),
  );
  return ids.length;
}

/**
 * A session marked in the shared store is revoked at once, in every process. Otherwise
 * PostgreSQL decides, and a live answer is remembered here briefly: a mark lost with a
 * Redis outage delays a revocation by at most LIVE_SESSION_MEMORY_MS, never forever.
 */
export async function isSessionRevoked(app: App, sessionId: string): Promise<boolean> {
  try {
    if (await app.kv.exists(revokedKey(sessionId))) return true;
  } catch (error) {
    app.logger.warn({ err: error }, "session store unavailable; checking the database");
  }
  const memory = liveSessions(app);
  const now = Date.now();
  if ((memory.get(sessionId) ?? 0) > now) return false;
  const session = await app.db.session.findUnique({ where: { id: sessionId }, select: { revokedAt: true } });
  const revoked = !session || session.revokedAt !== null;
  if (!revoked) {
    if (memory.size >= 10_000) memory.clear();
    memory.set(sessionId, now + LIVE_SESSION_MEMORY_MS);
  }
  return revoked;
}

const LIVE_SESSION_MEMORY_MS = 30_000;
const liveSessionsByApp = new WeakMap<App, Map<string, number>>();

function liveSessions(app: App): Map<string, number> {
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
