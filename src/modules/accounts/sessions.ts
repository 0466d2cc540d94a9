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
  // Access tokens outlive nothing longer than their TTL, so the mark need not either.
  const ttl = app.config.auth.accessTokenTtlSeconds;
  await Promise.all(ids.map((id) => app.kv.set(revokedKey(id), reason, ttl))).catch((error) =>
    app.logger.warn(
      { err: error },
      "could not mark revoked sessions in the store; falling back to the database",
    ),
  );
  return ids.length;
}

export async function isSessionRevoked(app: App, sessionId: string): Promise<boolean> {
  try {
    if (await app.kv.exists(revokedKey(sessionId))) return true;
    // Not marked: still check the row when the store forgot it (restart of an in-memory store).
    if (app.kv.kind === "redis") return false;
  } catch (error) {
    app.logger.warn({ err: error }, "session store unavailable; checking the database");
  }
  const session = await app.db.session.findUnique({ where: { id: sessionId }, select: { revokedAt: true } });
  return !session || session.revokedAt !== null;
}
