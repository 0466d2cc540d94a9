// Access tokens (JWT, HS256, short-lived) and opaque refresh tokens (stored as SHA-256).
import { createHash, randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { UserRole } from "../../generated/prisma/enums.ts";

const ISSUER = "roost";
const AUDIENCE = "roost-api";
const ROLES: readonly string[] = ["GUEST", "HOST", "ADMIN"];

export interface AccessClaims {
  userId: string;
  sessionId: string;
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

export type AccessTokenResult =
  { ok: true; claims: AccessClaims } | { ok: false; reason: "expired" | "invalid" };

export async function verifyAccessToken(
  token: string,
  secret: string,
  now: Date,
): Promise<AccessTokenResult> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: now,
    });
    const { sub, sid, role } = payload;
    if (
      typeof sub !== "string" ||
      typeof sid !== "string" ||
      typeof role !== "string" ||
      !ROLES.includes(role)
    ) {
      return { ok: false, reason: "invalid" };
    }
    return { ok: true, claims: { userId: sub, sessionId: sid, role: role as UserRole } };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}

export const newRefreshToken = (): string => randomBytes(32).toString("base64url");

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");
