// Narrows a context to a signed-in one; fields also declare authScopes, this gives the type.
import type { Context, Viewer } from "../context.ts";
import { unauthenticated } from "./errors.ts";

export type AuthedContext = Context & { viewer: Viewer };

export function requireViewer(ctx: Context): AuthedContext {
  if (!ctx.viewer) throw unauthenticated(ctx.authFailure);
  return ctx as AuthedContext;
}
