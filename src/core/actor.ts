// Who performs a use case. Services take an Actor, never a transport's context, so a
// resolver, a REST route, a job and a webhook call them the same way.
import type { UserRole } from "../generated/prisma/enums.ts";
import { forbidden, unauthenticated } from "./errors.ts";

/** Where a user's request came from, for audit rows and logs. */
export interface RequestOrigin {
  requestId: string;
  ip: string;
  userAgent?: string | undefined;
}

export interface UserActor {
  kind: "user";
  userId: string;
  /** As stored now (read with the session check), not as the access token claimed it. */
  role: UserRole;
  /** The session (refresh-token family) the request was authenticated with. */
  sessionId?: string | undefined;
  origin?: RequestOrigin | undefined;
}

export interface SystemActor {
  kind: "system";
  /** Why the system acts: "job:expire_bookings", "webhook:stripe", "seed". */
  reason: string;
}

export type Actor = UserActor | SystemActor;

/** An anonymous caller: may read public data only. */
export type MaybeActor = Actor | null;

export const systemActor = (reason: string): SystemActor => ({ kind: "system", reason });

export const isAdmin = (actor: MaybeActor): boolean =>
  actor !== null && (actor.kind === "system" || actor.role === "ADMIN");

/** The signed-in user behind an actor, or UNAUTHENTICATED. */
export function requireUser(actor: MaybeActor, why = "Authentication required"): UserActor {
  if (actor?.kind === "user") return actor;
  if (actor?.kind === "system") throw forbidden("This action needs a user");
  throw unauthenticated(why);
}

/** The user id an actor acts as, if any (system actors act as nobody). */
export const actorUserId = (actor: MaybeActor): string | undefined =>
  actor?.kind === "user" ? actor.userId : undefined;
