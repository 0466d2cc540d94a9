// Narrows a context to a signed-in one; fields also declare authScopes, this gives the type.
import type { Context, Viewer } from "../context.ts";
import type { UserActor } from "../core/actor.ts";
import { unauthenticated } from "../core/errors.ts";

export type AuthedContext = Context & { viewer: Viewer };

export function requireViewer(ctx: Context): AuthedContext {
  if (!ctx.viewer) throw unauthenticated(ctx.authFailure);
  return ctx as AuthedContext;
}

/** The signed-in caller as services take it; fields also declare authScopes, this gives the type. */
export function requireActor(ctx: Context): UserActor {
  if (!ctx.actor) throw unauthenticated(ctx.authFailure);
  return ctx.actor;
}
