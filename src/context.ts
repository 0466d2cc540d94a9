// Per-request GraphQL context: who is asking (from the bearer token), and the app's services.
import type { App } from "./app.ts";
import type { RequestOrigin, UserActor } from "./core/actor.ts";
import type { UserRole } from "./generated/prisma/enums.ts";
import type { Logger } from "./infra/logger.ts";
import { authenticateRequest } from "./modules/accounts/authenticate.ts";

export interface Viewer {
  id: string;
  /** As stored now (read with the session check), not as the access token claimed it. */
  role: UserRole;
  /** The refresh-token family (session) the access token was issued for. */
  sessionId: string;
}

export interface Context {
  app: App;
  requestId: string;
  viewer: Viewer | null;
  /** The same caller as services see it; null when anonymous. */
  actor: UserActor | null;
  /** Why a presented token was not accepted ("expired", "revoked"), for UNAUTHENTICATED messages. */
  authFailure: string | undefined;
  /** Where the request came from, for services' limits and audit rows. */
  origin: RequestOrigin;
  ip: string;
  userAgent: string | undefined;
  log: Logger;
}

/** The caller as services take it, for a viewer. */
export const userActor = (viewer: Viewer, origin: RequestOrigin): UserActor => ({
  kind: "user",
  userId: viewer.id,
  role: viewer.role,
  sessionId: viewer.sessionId,
  origin,
});

export async function createContext(
  app: App,
  request: Request,
  connection: { ip: string; requestId: string },
): Promise<Context> {
  const auth = await authenticateRequest(app, request.headers.get("authorization"));
  const origin: RequestOrigin = {
    requestId: connection.requestId,
    ip: connection.ip,
    userAgent: request.headers.get("user-agent") ?? undefined,
  };
  return {
    app,
    requestId: connection.requestId,
    viewer: auth.viewer,
    actor: auth.viewer ? userActor(auth.viewer, origin) : null,
    authFailure: auth.failure,
    origin,
    ip: connection.ip,
    userAgent: origin.userAgent,
    log: app.logger.child({ requestId: connection.requestId, userId: auth.viewer?.id }),
  };
}
