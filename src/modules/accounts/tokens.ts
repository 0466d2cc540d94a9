// Access tokens (JWT, HS256, short-lived) and opaque refresh tokens (stored as SHA-256).
import { createHash, randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { UserRole } from "../../generated/prisma/enums.ts";

const ISSUER = "roost";
const AUDIENCE = "roost-api";

export interface AccessClaims {
  userId: string;
  sessionId: string;
  /** For clients to read; the server takes the role from the database on every request. */
  role: UserRole;
}

const keyCache = new Map<string, Uint8Array>();
const keyOf = (secret: string) => {
  let key = keyCache.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keyCache.set(secret, key);
  }
  return key;
};

export async function signAccessToken(
  claims: AccessClaims,
  secret: string,
  now: Date,
  ttlSeconds: number,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sessionId, role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(keyOf(secret));
}

/** What a verified access token names; the role is read from the database, not from here. */
export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
}

export type AccessTokenResult =
  { ok: true; claims: VerifiedAccessToken } | { ok: false; reason: "expired" | "invalid" };

// Ids are UUIDs: anything else would reach the session lookup as a malformed value.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Another API process's clock may run a little ahead: its fresh tokens are not refused. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * Checks signature, issuer, audience and lifetime. Every token we issue carries exp and
 * iat no further apart than the configured lifetime, iat not in the future: one that does
 * not was not made by signAccessToken and is refused even when its signature is good.
 * `secrets`: the signing one first, then any still accepted while a rotation settles
 * (JWT_SECRET_PREVIOUS); a token signed with any of them is as good as another.
 */
export async function verifyAccessToken(
  token: string,
  secrets: readonly [string, ...string[]],
  now: Date,
  ttlSeconds: number,
): Promise<AccessTokenResult> {
  for (const [index, secret] of secrets.entries()) {
    const result = await verifyWith(token, secret, now, ttlSeconds);
    // Only a bad signature is worth another key: anything else was decided by this one.
    if (result !== "bad signature") return result;
    if (index === secrets.length - 1) break;
  }
  return { ok: false, reason: "invalid" };
}

async function verifyWith(
  token: string,
  secret: string,
  now: Date,
  ttlSeconds: number,
): Promise<AccessTokenResult | "bad signature"> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      requiredClaims: ["exp", "iat", "sub", "sid"],
      currentDate: now,
    });
    const { sub, sid, exp, iat } = payload;
    if (
      typeof sub !== "string" ||
      typeof sid !== "string" ||
      !UUID.test(sub) ||
      !UUID.test(sid) ||
      exp === undefined ||
      iat === undefined ||
      exp - iat > ttlSeconds ||
      iat > now.getTime() / 1000 + CLOCK_SKEW_SECONDS
    ) {
      return { ok: false, reason: "invalid" };
    }
    return { ok: true, claims: { userId: sub, sessionId: sid } };
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
    // jose checks the claims only once the signature holds: "expired" is one of ours.
    return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}

export const newRefreshToken = (): string => randomBytes(32).toString("base64url");

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");
