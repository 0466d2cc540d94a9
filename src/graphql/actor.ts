// The signed-in caller of a resolver, as services take it.
import type { Context } from "../context.ts";
import type { UserActor } from "../core/actor.ts";
import { unauthenticated } from "../core/errors.ts";

/** The signed-in caller; fields also declare authScopes, this gives the type. */
export function requireActor(ctx: Context): UserActor {
  if (!ctx.actor) throw unauthenticated(ctx.authFailure);
  return ctx.actor;
}
