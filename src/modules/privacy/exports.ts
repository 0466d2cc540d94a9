// Data exports: a user asks (exportMyData), a job builds the archive from one snapshot and stores
// it in PostgreSQL with a one-time link whose token only the e-mail carries (the database keeps
// its SHA-256), the link downloads it once before it expires, and a cron job drops what is left.
import { randomBytes } from "node:crypto";
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { AppError } from "../../core/errors.ts";
import { type DataExport, Prisma } from "../../generated/prisma/client.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import { hashToken } from "../accounts/tokens.ts";
import { notify } from "../notifications/service.ts";
import { buildArchive } from "./export-archive.ts";

export const EXPORT_TASK = "privacy_build_export";
export const PURGE_TASK = "privacy_purge_exports";
export const EXPORTS_PATH = "/exports";

const DAY_MS = 86_400_000;
/** A PENDING export this old has lost its job (the worker gave up or crashed): it no longer blocks. */
const STALE_PENDING_MS = 60 * 60 * 1000;
/** How long the export's row (no archive, no personal data) is kept, for the per-day limit and support. */
const KEEP_ROWS_MS = 30 * DAY_MS;
/** What a client waits before asking again while an export is being built. */
const IN_FLIGHT_RETRY_SECONDS = 60;

/** The export's columns a client sees: never the archive. */
export const exportSummary = {
  id: true,
  userId: true,
  status: true,
  requestedAt: true,
  readyAt: true,
  expiresAt: true,
  downloadedAt: true,
  sizeBytes: true,
} as const;
export type ExportSummary = Pick<DataExport, keyof typeof exportSummary>;

/**
 * Starts an export of the caller's data. RATE_LIMITED while another is being built (a partial
 * unique index keeps it to one per user, also under concurrent requests) or past
 * DATA_EXPORTS_PER_DAY in 24 hours.
 */
export async function requestDataExport(actor: UserActor, app: App): Promise<ExportSummary> {
  const now = app.clock.now();
  const inFlight = new AppError("RATE_LIMITED", "An export of your data is already being prepared", {
    retryAfter: IN_FLIGHT_RETRY_SECONDS,
  });
  return unitOfWork(
    app,
    async (tx, effects) => {
      const userId = actor.userId;
      await tx.dataExport.updateMany({
        where: { userId, status: "PENDING", requestedAt: { lt: new Date(now.getTime() - STALE_PENDING_MS) } },
        data: { status: "FAILED" },
      });
      const recent = await tx.dataExport.findMany({
        where: { userId, requestedAt: { gt: new Date(now.getTime() - DAY_MS) } },
        select: { requestedAt: true, status: true },
        orderBy: { requestedAt: "asc" },
      });
      if (recent.some((row) => row.status === "PENDING")) throw inFlight;
      const limit = app.config.privacy.exportsPerDay;
      const oldest = recent[0];
      if (oldest && recent.length >= limit) {
        const seconds = Math.ceil((oldest.requestedAt.getTime() + DAY_MS - now.getTime()) / 1000);
        throw new AppError("RATE_LIMITED", `At most ${limit} exports of your data a day`, {
          retryAfter: Math.max(1, seconds),
        });
      }
      const created = await tx.dataExport.create({
        data: { userId, status: "PENDING", requestedAt: now },
        select: exportSummary,
      });
      await effects.addJob(
        EXPORT_TASK,
        { exportId: created.id },
        { jobKey: `export:${created.id}`, maxAttempts: 5 },
      );
      await tx.auditLog.create({
        data: {
          actorId: userId,
          action: "privacy.export_requested",
          entityType: "DataExport",
          entityId: created.id,
          ip: actor.origin?.ip ?? null,
          requestId: actor.origin?.requestId ?? null,
        },
      });
      return created;
    },
    { errors: { unique: inFlight } },
  );
}

/** A download token: 256 random bits, URL-safe. */
const newDownloadToken = (): string => randomBytes(32).toString("base64url");
export const isDownloadToken = (value: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(value);

/**
 * The build job: reads the user's data in one read-only snapshot, stores the archive with a new
 * token's hash and notifies the user, whose e-mail carries the link. Safe to run twice: only a
 * PENDING export is built, and only one run can move it to READY.
 */
export async function buildDataExport(app: App, exportId: string): Promise<boolean> {
  const pending = await app.db.dataExport.findUnique({ where: { id: exportId }, select: exportSummary });
  if (pending?.status !== "PENDING") return false;
  const archive = await app.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION READ ONLY`;
      return buildArchive(tx, { userId: pending.userId, exportId }, app.clock.now());
    },
    { isolationLevel: "RepeatableRead", maxWait: 10_000, timeout: 120_000 },
  );
  const text = JSON.stringify(archive, null, 2);
  const token = newDownloadToken();
  const readyAt = app.clock.now();
  const expiresAt = new Date(readyAt.getTime() + app.config.privacy.exportTtlMs);
  return unitOfWork(app, async (tx, effects) => {
    const stored = await tx.$executeRaw`
      UPDATE data_exports
      SET status = 'READY', archive = ${text}::json, size_bytes = ${Buffer.byteLength(text)},
          token_hash = ${hashToken(token)}, ready_at = ${readyAt}, expires_at = ${expiresAt}
      WHERE id = ${exportId}::uuid AND status = 'PENDING'`;
    if (stored === 0) return false;
    await notify(tx, effects, {
      userId: pending.userId,
      type: "privacy.export_ready",
      title: "Your data export is ready",
      body:
        `Download it from the link in the e-mail we sent you before ${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. ` +
        "The link works once; after that, or once it expires, ask for a new export.",
      data: { exportId },
      link: `${app.config.apiUrl}${EXPORTS_PATH}/${token}`,
      linkLabel: "Download your data",
      linkIsSecret: true,
      dedupeKey: `privacy.export_ready:${exportId}`,
    });
    return true;
  });
}

/** After the build job's last attempt failed: the export is FAILED, and the user may ask again. */
export async function failDataExport(app: App, exportId: string): Promise<void> {
  await app.db.dataExport.updateMany({
    where: { id: exportId, status: "PENDING" },
    data: { status: "FAILED" },
  });
}

export type DownloadOutcome =
  | { kind: "archive"; exportId: string; userId: string; readyAt: Date; json: string }
  | { kind: "not-found" }
  | { kind: "gone"; reason: "downloaded" | "expired" };

/**
 * Hands out the archive behind a token, once: the row is locked and emptied in the statement that
 * reads it, so of concurrent downloads exactly one gets it. `mayDownload` sees the owner first
 * (the route refuses a caller signed in as someone else) and a refusal uses nothing up.
 */
export async function claimDownload(
  app: App,
  token: string,
  mayDownload: (ownerId: string) => boolean | Promise<boolean>,
): Promise<DownloadOutcome> {
  if (!isDownloadToken(token)) return { kind: "not-found" };
  const tokenHash = hashToken(token);
  const row = await app.db.dataExport.findUnique({ where: { tokenHash }, select: exportSummary });
  if (!row || !(await mayDownload(row.userId))) return { kind: "not-found" };
  const now = app.clock.now();
  if (row.status === "DOWNLOADED") return { kind: "gone", reason: "downloaded" };
  if (row.status !== "READY" || (row.expiresAt && row.expiresAt <= now))
    return { kind: "gone", reason: "expired" };
  const claimed = await unitOfWork(app, async (tx) => {
    const rows = await tx.$queryRaw<Array<{ json: string }>>`
      WITH claimed AS (
        SELECT id, archive FROM data_exports WHERE token_hash = ${tokenHash} FOR UPDATE
      )
      UPDATE data_exports e
      SET status = 'DOWNLOADED', downloaded_at = ${now}, archive = NULL
      FROM claimed
      WHERE e.id = claimed.id AND e.status = 'READY' AND e.expires_at > ${now}
      RETURNING claimed.archive::text AS json`;
    const json = rows[0]?.json;
    if (json === undefined) return undefined;
    await tx.auditLog.create({
      data: {
        actorId: row.userId,
        action: "privacy.export_downloaded",
        entityType: "DataExport",
        entityId: row.id,
      },
    });
    return json;
  });
  if (claimed === undefined) return { kind: "gone", reason: "downloaded" };
  return {
    kind: "archive",
    exportId: row.id,
    userId: row.userId,
    readyAt: row.readyAt ?? now,
    json: claimed,
  };
}

/**
 * The cron job: archives past their expiry are dropped (EXPIRED), exports whose job was lost are
 * FAILED, and rows older than 30 days go. Returns how many archives it dropped.
 */
export async function purgeDataExports(app: App): Promise<number> {
  const now = app.clock.now();
  const expired = await app.db.dataExport.updateMany({
    where: { status: "READY", expiresAt: { lte: now } },
    data: { status: "EXPIRED", archive: Prisma.DbNull },
  });
  await app.db.dataExport.updateMany({
    where: { status: "PENDING", requestedAt: { lt: new Date(now.getTime() - STALE_PENDING_MS) } },
    data: { status: "FAILED" },
  });
  await app.db.dataExport.deleteMany({
    where: {
      status: { in: ["DOWNLOADED", "EXPIRED", "FAILED"] },
      requestedAt: { lt: new Date(now.getTime() - KEEP_ROWS_MS) },
    },
  });
  return expired.count;
}
