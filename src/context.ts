// Per-request GraphQL context: who is asking (from the bearer token), and the app's services.
import type { App } from "./app.ts";
import type { RequestOrigin, UserActor } from "./core/actor.ts";
import type { Logger } from "./infra/logger.ts";
import { type AuthenticatedSession, authenticateRequest } from "./modules/accounts/authenticate.ts";

export interface Context {
  app: App;
  /** The signed-in caller as services take it (role as stored now); null when anonymous. */
  actor: UserActor | null;
  /** Why a presented token was not accepted ("expired", "revoked"), for UNAUTHENTICATED messages. */
  authFailure: string | undefined;
  /** Where the request came from, for services' limits and audit rows. */
  origin: RequestOrigin;
  log: Logger;
}

/** The caller as services take it, for an authenticated session. */
export const userActor = (session: AuthenticatedSession, origin: RequestOrigin): UserActor => ({
  kind: "user",
  userId: session.userId,
  role: session.role,
  sessionId: session.sessionId,
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
    actor: auth.session ? userActor(auth.session, origin) : null,
    authFailure: auth.failure,
    origin,
    log: app.logger.child({ requestId: connection.requestId, userId: auth.session?.userId }),
  };
}
