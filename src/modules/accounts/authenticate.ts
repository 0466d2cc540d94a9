// Turns an Authorization header into the request's viewer, or a reason it was refused.
import type { App } from "../../app.ts";
import type { Viewer } from "../../context.ts";
import { isSessionRevoked } from "./sessions.ts";
import { verifyAccessToken } from "./tokens.ts";

export async function authenticateRequest(
  app: App,
  authorization: string | null,
): Promise<{ viewer: Viewer | null; failure?: string }> {
  if (!authorization) return { viewer: null };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1])
    return { viewer: null, failure: "Malformed Authorization header; expected 'Bearer <token>'" };
  const result = await verifyAccessToken(match[1], app.config.jwtSecret, app.clock.now());
  if (!result.ok) {
    return {
      viewer: null,
      failure: result.reason === "expired" ? "Access token expired" : "Invalid access token",
    };
  }
  if (await isSessionRevoked(app, result.claims.sessionId)) {
    return { viewer: null, failure: "Session has been revoked" };
  }
  return {
    viewer: { id: result.claims.userId, role: result.claims.role, sessionId: result.claims.sessionId },
  };
}
