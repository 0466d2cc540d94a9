// Accounts: sign-up, log-in, refresh rotation with reuse detection, log-out, profile, password.
import type { Context } from "../../context.ts";
import type { User } from "../../generated/prisma/client.ts";
import { AppError, badInput, unauthenticated } from "../../core/errors.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { mapDatabaseError } from "../../infra/db-errors.ts";
import type { RateLimitRule } from "../../infra/rate-limit.ts";
import { queueEmail } from "../notifications/email.ts";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.ts";
import { revokeSessions } from "./sessions.ts";
import { hashToken, newRefreshToken, signAccessToken } from "./tokens.ts";

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  user: User;
}

const loginRules = (ctx: Context) => {
  const { auth } = ctx.app.config;
  return {
    account: {
      name: "login:account",
      limit: auth.loginFailuresPerAccount,
      windowSeconds: auth.loginWindowSeconds,
    },
    ip: { name: "login:ip", limit: auth.loginAttemptsPerIp, windowSeconds: auth.loginWindowSeconds },
  } satisfies Record<string, RateLimitRule>;
};

export async function signUp(
  ctx: Context,
  input: { email: string; password: string; firstName: string; lastName: string },
): Promise<AuthResult> {
  const signUpRule = {
    name: "signup:ip",
    limit: ctx.app.config.auth.signUpsPerIpPerHour,
    windowSeconds: 3600,
  };
  await ctx.app.rateLimiter.hit(signUpRule, ctx.ip);
  const passwordHash = await hashPassword(input.password);
  const { db } = ctx.app;
  const emailTaken = new AppError("CONFLICT", "An account with this e-mail address already exists", {
    fields: [{ path: "email", message: "is already registered" }],
  });
  const user = await db
    .$transaction(async (tx) => {
      const created = await tx.user.create({
        data: { email: input.email, passwordHash, firstName: input.firstName, lastName: input.lastName },
      });
      await queueEmail(tx, { template: "welcome", to: created.email, userId: created.id });
      return created;
    })
    .catch((error: unknown) => mapDatabaseError(error, { unique: emailTaken }));
  ctx.log.info({ userId: user.id }, "user signed up");
  return startSession(ctx, user);
}

export async function logIn(ctx: Context, input: { email: string; password: string }): Promise<AuthResult> {
  const rules = loginRules(ctx);
  await ctx.app.rateLimiter.hit(rules.ip, ctx.ip);
  // Counted before the password is checked, so parallel guesses cannot all be verified;
  // a success resets it, so the window counts failures (and attempts in flight).
  await ctx.app.rateLimiter.hit(rules.account, input.email);

  const user = await ctx.app.db.user.findUnique({ where: { email: input.email } });
  const valid = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await burnPasswordCheck(input.password);
  if (!user || !valid) throw unauthenticated("Invalid e-mail address or password");
  await ctx.app.rateLimiter.reset(rules.account, input.email);
  return startSession(ctx, user);
}

/** Rotates a refresh token. A token presented twice revokes its whole family. */
export async function refreshSession(ctx: Context, refreshToken: string): Promise<AuthResult> {
  const { db, clock } = ctx.app;
  const now = clock.now();
  const token = await db.refreshToken.findUnique({
    where: { tokenHash: hashToken(refreshToken) },
    include: { session: { include: { user: true } } },
  });
  if (!token) throw unauthenticated("Invalid refresh token");
  const { session } = token;
  if (session.revokedAt) throw unauthenticated("Session has been revoked");
  if (token.expiresAt <= now) throw unauthenticated("Refresh token expired");

  const next = newRefreshToken();
  const expiresAt = refreshExpiry(ctx, now);
  // Claiming the token and issuing its successor commit together; the claim is a
  // conditional update so two concurrent refreshes cannot both win.
  const rotated = await db.$transaction(async (tx) => {
    const claim = await tx.refreshToken.updateMany({
      where: { id: token.id, usedAt: null },
      data: { usedAt: now },
    });
    if (claim.count === 0) return false;
    await tx.refreshToken.create({ data: { sessionId: session.id, tokenHash: hashToken(next), expiresAt } });
    await tx.session.update({ where: { id: session.id }, data: { lastUsedAt: now, expiresAt } });
    return true;
  });
  if (!rotated) {
    await revokeSessions(ctx.app, { id: session.id }, "refresh-token-reuse");
    await ctx.app.db.auditLog.create({
      data: {
        actorId: session.userId,
        action: "session.reuse_detected",
        entityType: "Session",
        entityId: session.id,
        ip: ctx.ip,
        requestId: ctx.requestId,
      },
    });
    ctx.log.warn({ sessionId: session.id }, "refresh token reuse: session revoked");
    throw unauthenticated("Refresh token was already used; the session has been revoked");
  }
  actAs(ctx, session.user, session.id);
  return {
    accessToken: await accessTokenFor(ctx, session.user, session.id),
    refreshToken: next,
    user: session.user,
  };
}

/**
 * Ends the session of the given refresh token, else the caller's current session;
 * with allSessions, every session of the caller. Returns how many were ended.
 */
export async function logOut(
  ctx: Context,
  input: { refreshToken?: string | null; allSessions?: boolean | null },
): Promise<number> {
  if (input.allSessions) {
    if (!ctx.viewer) throw unauthenticated();
    return revokeSessions(ctx.app, { userId: ctx.viewer.id }, "logout-all");
  }
  if (input.refreshToken) {
    const token = await ctx.app.db.refreshToken.findUnique({
      where: { tokenHash: hashToken(input.refreshToken) },
      select: { sessionId: true },
    });
    if (!token) throw unauthenticated("Invalid refresh token");
    return revokeSessions(ctx.app, { id: token.sessionId }, "logout");
  }
  if (!ctx.viewer) throw unauthenticated();
  return revokeSessions(ctx.app, { id: ctx.viewer.sessionId }, "logout");
}

export async function updateProfile(
  ctx: Context & { viewer: NonNullable<Context["viewer"]> },
  input: {
    firstName?: string | null;
    lastName?: string | null;
    avatarUrl?: string | null;
    bio?: string | null;
  },
): Promise<User> {
  // Absent means "leave as is"; an explicit null clears the optional fields.
  const data = {
    ...(input.firstName != null && { firstName: input.firstName }),
    ...(input.lastName != null && { lastName: input.lastName }),
    ...(input.avatarUrl !== undefined && { avatarUrl: input.avatarUrl }),
    ...(input.bio !== undefined && { bio: input.bio }),
  };
  const user = await ctx.app.db.user.update({ where: { id: ctx.viewer.id }, data });
  // Cached listing pages show their host's name and avatar.
  const listings = await ctx.app.db.listing.findMany({ where: { hostId: user.id }, select: { id: true } });
  if (listings.length)
    await ctx.app.cache.invalidate(...listings.map((listing) => listingCacheTags.listing(listing.id)));
  return user;
}

/** Changes the password and ends every other session of the user. */
export async function changePassword(
  ctx: Context & { viewer: NonNullable<Context["viewer"]> },
  input: { currentPassword: string; newPassword: string },
): Promise<User> {
  const rule = loginRules(ctx).account;
  const user = await ctx.app.db.user.findUniqueOrThrow({ where: { id: ctx.viewer.id } });
  // The same lock as logIn's: this is a password check too.
  await ctx.app.rateLimiter.hit(rule, user.email);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw badInput([{ path: "currentPassword", message: "is incorrect" }]);
  }
  await ctx.app.rateLimiter.reset(rule, user.email);
  if (input.currentPassword === input.newPassword) {
    throw badInput([{ path: "newPassword", message: "must differ from the current password" }]);
  }
  const updated = await ctx.app.db.user.update({
    where: { id: user.id },
    data: { passwordHash: await hashPassword(input.newPassword) },
  });
  await revokeSessions(ctx.app, { userId: user.id, id: { not: ctx.viewer.sessionId } }, "password-changed");
  return updated;
}

async function startSession(ctx: Context, user: User): Promise<AuthResult> {
  const now = ctx.app.clock.now();
  const refreshToken = newRefreshToken();
  const expiresAt = refreshExpiry(ctx, now);
  const session = await ctx.app.db.session.create({
    data: {
      userId: user.id,
      ip: ctx.ip,
      userAgent: ctx.userAgent?.slice(0, 500),
      expiresAt,
      createdAt: now,
      lastUsedAt: now,
      tokens: { create: { tokenHash: hashToken(refreshToken), expiresAt, createdAt: now } },
    },
  });
  actAs(ctx, user, session.id);
  return { accessToken: await accessTokenFor(ctx, user, session.id), refreshToken, user };
}

/** The rest of this request (the payload's fields) is answered for the user just signed in. */
function actAs(ctx: Context, user: User, sessionId: string): void {
  ctx.viewer = { id: user.id, role: user.role, sessionId };
}

const refreshExpiry = (ctx: Context, now: Date) =>
  new Date(now.getTime() + ctx.app.config.auth.refreshTokenTtlSeconds * 1000);

const accessTokenFor = (ctx: Context, user: User, sessionId: string) =>
  signAccessToken(
    { userId: user.id, sessionId, role: user.role },
    ctx.app.config.jwtSecret,
    ctx.app.clock.now(),
    ctx.app.config.auth.accessTokenTtlSeconds,
  );
