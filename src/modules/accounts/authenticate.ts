// Turns an Authorization header into the request's viewer, or a reason it was refused.
import type { App } from "../../app.ts";
import type { Viewer } from "../../context.ts";
import { liveSession } from "./sessions.ts";
import { verifyAccessToken } from "./tokens.ts";

export async function authenticateRequest(
  app: App,
  authorization: string | null,
): Promise<{ viewer: Viewer | null; failure?: string }> {
  if (!authorization) return { viewer: null };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1])
    return { viewer: null, failure: "Malformed Authorization header; expected 'Bearer <token>'" };
  const { config } = app;
  const result = await verifyAccessToken(
    match[1],
    config.jwtSecret,
    app.clock.now(),
    config.auth.accessTokenTtlSeconds,
  );
  if (!result.ok) {
    return {
      viewer: null,
      failure: result.reason === "expired" ? "Access token expired" : "Invalid access token",
    };
  }
  const { userId, sessionId } = result.claims;
  const session = await liveSession(app, sessionId);
  if (!session) return { viewer: null, failure: "Session has been revoked" };
  // A token naming someone else's session was not issued by us for that session.
  if (session.userId !== userId) return { viewer: null, failure: "Invalid access token" };
  // The role as stored now, not as the token claimed it when issued.
  return { viewer: { id: userId, role: session.role, sessionId } };
}
