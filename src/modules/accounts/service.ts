// Accounts: sign-up, log-in, refresh rotation with reuse detection, log-out, profile, password.
import type { App } from "../../app.ts";
import type { RequestOrigin, UserActor } from "../../core/actor.ts";
import { AppError, badInput, forbidden, unauthenticated } from "../../core/errors.ts";
import type { User } from "../../generated/prisma/client.ts";
import type { RateLimitRule } from "../../infra/rate-limit.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { listingCacheTags } from "../listings/cache-tags.ts";
import { queueEmail } from "../notifications/email.ts";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.ts";
import { revokeSessions, revokeSessionsIn } from "./sessions.ts";
import { hashToken, newRefreshToken, signAccessToken } from "./tokens.ts";

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  user: User;
  /** The new session, so the rest of the request can act as its user. */
  sessionId: string;
}

const loginRules = (config: App["config"]) => {
  const { auth } = config;
  return {
    account: {
      name: "login:account",
      limit: auth.loginFailuresPerAccount,
      windowSeconds: auth.loginWindowSeconds,
    },
    ip: { name: "login:ip", limit: auth.loginAttemptsPerIp, windowSeconds: auth.loginWindowSeconds },
  } satisfies Record<string, RateLimitRule>;
};

/** The failed-password limit of an account, which every password check counts against. */
export const accountPasswordRule = (config: App["config"]): RateLimitRule => loginRules(config).account;

export async function signUp(
  input: { email: string; password: string; firstName: string; lastName: string },
  origin: RequestOrigin,
  app: App,
): Promise<AuthResult> {
  const signUpRule = { name: "signup:ip", limit: app.config.auth.signUpsPerIpPerHour, windowSeconds: 3600 };
  await app.rateLimiter.hit(signUpRule, origin.ip);
  const passwordHash = await hashPassword(input.password);
  const emailTaken = new AppError("CONFLICT", "An account with this e-mail address already exists", {
    fields: [{ path: "email", message: "is already registered" }],
  });
  // The user, their welcome e-mail's job and their first session commit together.
  const { user, session } = await unitOfWork(
    app,
    async (tx) => {
      const created = await tx.user.create({
        data: { email: input.email, passwordHash, firstName: input.firstName, lastName: input.lastName },
      });
      await queueEmail(tx, { template: "welcome", to: created.email, userId: created.id });
      return { user: created, session: await createSession(tx, app, created, origin) };
    },
    { errors: { unique: emailTaken } },
  );
  app.logger.info({ userId: user.id, requestId: origin.requestId }, "user signed up");
  return authResult(app, user, session);
}

export async function logIn(
  input: { email: string; password: string },
  origin: RequestOrigin,
  app: App,
): Promise<AuthResult> {
  const rules = loginRules(app.config);
  await app.rateLimiter.hit(rules.ip, origin.ip);
  // Counted before the password is checked, so parallel guesses cannot all be verified;
  // a success resets it, so the window counts failures (and attempts in flight).
  await app.rateLimiter.hit(rules.account, input.email);

  const user = await app.db.user.findUnique({ where: { email: input.email } });
  const valid = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await burnPasswordCheck(input.password);
  if (!user || !valid) throw unauthenticated("Invalid e-mail address or password");
  await app.rateLimiter.reset(rules.account, input.email);
  // Checked again under a share lock on the user row: a suspension committing meanwhile (it
  // locks the row, then revokes every session) either comes first and is seen here, or after
  // and revokes this session too.
  const session = await unitOfWork(app, async (tx) => {
    await refuseSuspended(tx, user.id);
    return createSession(tx, app, user, origin);
  });
  return authResult(app, user, session);
}

/** Rotates a refresh token. A token presented twice revokes its whole family. */
export async function refreshSession(
  input: { refreshToken: string },
  origin: RequestOrigin,
  app: App,
): Promise<AuthResult> {
  const now = app.clock.now();
  const token = await app.db.refreshToken.findUnique({
    where: { tokenHash: hashToken(input.refreshToken) },
    include: { session: { include: { user: true } } },
  });
  if (!token) throw unauthenticated("Invalid refresh token");
  const { session } = token;
  if (session.user.suspendedAt) throw accountSuspended();
  if (session.revokedAt) throw unauthenticated("Session has been revoked");
  if (token.expiresAt <= now) throw unauthenticated("Refresh token expired");

  const next = newRefreshToken();
  const expiresAt = refreshExpiry(app, now);
  // Claiming the token and issuing its successor commit together; the claim is a
  // conditional update so two concurrent refreshes cannot both win.
  const rotated = await unitOfWork(app, async (tx) => {
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
    await unitOfWork(app, async (tx, effects) => {
      await revokeSessionsIn(tx, effects, app, { id: session.id }, "refresh-token-reuse");
      await tx.auditLog.create({
        data: {
          actorId: session.userId,
          action: "session.reuse_detected",
          entityType: "Session",
          entityId: session.id,
          ip: origin.ip,
          requestId: origin.requestId,
        },
      });
    });
    app.logger.warn(
      { sessionId: session.id, requestId: origin.requestId },
      "refresh token reuse: session revoked",
    );
    throw unauthenticated("Refresh token was already used; the session has been revoked");
  }
  return {
    accessToken: await accessTokenFor(app, session.user, session.id),
    refreshToken: next,
    user: session.user,
    sessionId: session.id,
  };
}

/**
 * Ends the session of the given refresh token, else the caller's current session;
 * with allSessions, every session of the caller. Returns how many were ended.
 */
export async function logOut(
  actor: UserActor | null,
  input: { refreshToken?: string | null; allSessions?: boolean | null },
  app: App,
): Promise<number> {
  if (input.allSessions) {
    if (!actor) throw unauthenticated();
    return revokeSessions(app, { userId: actor.userId }, "logout-all");
  }
  if (input.refreshToken) {
    const token = await app.db.refreshToken.findUnique({
      where: { tokenHash: hashToken(input.refreshToken) },
      select: { sessionId: true },
    });
    if (!token) throw unauthenticated("Invalid refresh token");
    return revokeSessions(app, { id: token.sessionId }, "logout");
  }
  if (!actor?.sessionId) throw unauthenticated();
  return revokeSessions(app, { id: actor.sessionId }, "logout");
}

export async function updateProfile(
  actor: UserActor,
  input: {
    firstName?: string | null;
    lastName?: string | null;
    avatarUrl?: string | null;
    bio?: string | null;
  },
  app: App,
): Promise<User> {
  // Absent means "leave as is"; an explicit null clears the optional fields.
  const data = {
    ...(input.firstName != null && { firstName: input.firstName }),
    ...(input.lastName != null && { lastName: input.lastName }),
    ...(input.avatarUrl !== undefined && { avatarUrl: input.avatarUrl }),
    ...(input.bio !== undefined && { bio: input.bio }),
  };
  return unitOfWork(app, async (tx, effects) => {
    const user = await tx.user.update({ where: { id: actor.userId }, data });
    // Cached pages show the user's name and avatar: their listings' pages as host, and any
    // page with their reviews (responses carry a namespace per user they show).
    const listings = await tx.listing.findMany({ where: { hostId: user.id }, select: { id: true } });
    effects.afterCommit(() =>
      app.cache.invalidate(
        listingCacheTags.user(user.id),
        ...listings.map((listing) => listingCacheTags.listing(listing.id)),
      ),
    );
    return user;
  });
}

/** Changes the password and ends every other session of the user, in one commit. */
export async function changePassword(
  actor: UserActor,
  input: { currentPassword: string; newPassword: string },
  app: App,
): Promise<User> {
  const rule = loginRules(app.config).account;
  const user = await app.db.user.findUniqueOrThrow({ where: { id: actor.userId } });
  // The same lock as logIn's: this is a password check too.
  await app.rateLimiter.hit(rule, user.email);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw badInput([{ path: "currentPassword", message: "is incorrect" }]);
  }
  await app.rateLimiter.reset(rule, user.email);
  if (input.currentPassword === input.newPassword) {
    throw badInput([{ path: "newPassword", message: "must differ from the current password" }]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  return unitOfWork(app, async (tx, effects) => {
    // Only over the hash just verified: a change committed meanwhile makes the current password stale.
    const changed = await tx.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash },
      data: { passwordHash },
    });
    if (changed.count === 0) throw badInput([{ path: "currentPassword", message: "is incorrect" }]);
    const others = actor.sessionId ? { id: { not: actor.sessionId } } : {};
    await revokeSessionsIn(tx, effects, app, { userId: user.id, ...others }, "password-changed");
    return tx.user.findUniqueOrThrow({ where: { id: user.id } });
  });
}

/** The answer to a suspended user's log-in (their password was right: saying so leaks nothing new). */
const accountSuspended = () => forbidden("This account is suspended");

async function refuseSuspended(tx: Tx, userId: string): Promise<void> {
  const [row] = await tx.$queryRaw<Array<{ suspended: boolean }>>`
    SELECT suspended_at IS NOT NULL AS suspended FROM users WHERE id = ${userId}::uuid FOR SHARE`;
  if (row?.suspended) throw accountSuspended();
}

/** A new session (refresh-token family) with its first refresh token, inside the caller's transaction. */
async function createSession(
  tx: Tx,
  app: App,
  user: User,
  origin: RequestOrigin,
): Promise<{ id: string; refreshToken: string }> {
  const now = app.clock.now();
  const refreshToken = newRefreshToken();
  const expiresAt = refreshExpiry(app, now);
  const session = await tx.session.create({
    data: {
      userId: user.id,
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 500),
      expiresAt,
      createdAt: now,
      lastUsedAt: now,
      tokens: { create: { tokenHash: hashToken(refreshToken), expiresAt, createdAt: now } },
    },
    select: { id: true },
  });
  return { id: session.id, refreshToken };
}

async function authResult(
  app: App,
  user: User,
  session: { id: string; refreshToken: string },
): Promise<AuthResult> {
  return {
    accessToken: await accessTokenFor(app, user, session.id),
    refreshToken: session.refreshToken,
    user,
    sessionId: session.id,
  };
}

const refreshExpiry = (app: App, now: Date) =>
  new Date(now.getTime() + app.config.auth.refreshTokenTtlSeconds * 1000);

const accessTokenFor = (app: App, user: User, sessionId: string) =>
  signAccessToken(
    { userId: user.id, sessionId, role: user.role },
    app.config.jwtSecret,
    app.clock.now(),
    app.config.auth.accessTokenTtlSeconds,
  );
