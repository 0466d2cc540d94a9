// Turns an Authorization header into the request's session, or a reason it was refused.
import type { App } from "../../app.ts";
import type { UserRole } from "../../generated/prisma/enums.ts";
import { liveSession } from "./sessions.ts";
import { verifyAccessToken } from "./tokens.ts";

export interface AuthenticatedSession {
  userId: string;
  /** As stored now (read with the session check), not as the access token claimed it. */
  role: UserRole;
  /** The refresh-token family (session) the access token was issued for. */
  sessionId: string;
}

export async function authenticateRequest(
  app: App,
  authorization: string | null,
): Promise<{ session: AuthenticatedSession | null; failure?: string }> {
  if (!authorization) return { session: null };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1])
    return { session: null, failure: "Malformed Authorization header; expected 'Bearer <token>'" };
  const { config } = app;
  const result = await verifyAccessToken(
    match[1],
    config.jwtPreviousSecret ? [config.jwtSecret, config.jwtPreviousSecret] : [config.jwtSecret],
    app.clock.now(),
    config.auth.accessTokenTtlSeconds,
  );
  if (!result.ok) {
    return {
      session: null,
      failure: result.reason === "expired" ? "Access token expired" : "Invalid access token",
    };
  }
  const { userId, sessionId } = result.claims;
  const session = await liveSession(app, sessionId);
  if (!session) return { session: null, failure: "Session has been revoked" };
  // A token naming someone else's session was not issued by us for that session.
  if (session.userId !== userId) return { session: null, failure: "Invalid access token" };
  // The role as stored now, not as the token claimed it when issued.
  return { session: { userId, role: session.role, sessionId } };
}
