// Reports: any signed-in user reports a listing, a review or a user they can see (not their own,
// not themselves); admins work the queue and close each report as RESOLVED or DISMISSED. A reporter
// has at most one OPEN report per target (a partial unique index): reporting again while it is
// open returns that report unchanged, so a double submit is harmless and the queue holds one row.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import { AppError, badInput, invalidState, notFound } from "../../core/errors.ts";
import type { Prisma, Report } from "../../generated/prisma/client.ts";
import type { ReportStatus } from "../../generated/prisma/enums.ts";
import type { RateLimitRule } from "../../infra/rate-limit.ts";
import { unitOfWork } from "../../infra/unit-of-work.ts";
import { viewableListing } from "../listings/access.ts";
import { visibleReviewsWhere } from "../reviews/access.ts";
import { recordAction } from "./audit.ts";

/** Reports a user files per hour, duplicates included: enough for anyone, too few to flood the queue. */
export const REPORTS_PER_HOUR = 30;
const reportRule: RateLimitRule = { name: "report:user", limit: REPORTS_PER_HOUR, windowSeconds: 3600 };

type Target =
  | { targetType: "LISTING"; listingId: string }
  | { targetType: "REVIEW"; reviewId: string }
  | { targetType: "USER"; reportedUserId: string };

const ownTarget = (path: string, message: string) => badInput([{ path, message }], message);

export async function reportListing(
  actor: UserActor,
  input: { listingId: string; reason: string },
  app: App,
): Promise<Report> {
  const listing = await viewableListing(actor, input.listingId, app);
  if (listing.hostId === actor.userId) throw ownTarget("listingId", "You cannot report your own listing");
  return fileReport(app, actor, { targetType: "LISTING", listingId: listing.id }, input.reason);
}

export async function reportReview(
  actor: UserActor,
  input: { reviewId: string; reason: string },
  app: App,
): Promise<Report> {
  const review = await app.db.review.findFirst({
    where: { AND: [{ id: input.reviewId }, visibleReviewsWhere(actor)] },
    select: { id: true, authorId: true },
  });
  if (!review) throw notFound("Review");
  if (review.authorId === actor.userId) throw ownTarget("reviewId", "You cannot report your own review");
  return fileReport(app, actor, { targetType: "REVIEW", reviewId: review.id }, input.reason);
}

export async function reportUser(
  actor: UserActor,
  input: { userId: string; reason: string },
  app: App,
): Promise<Report> {
  if (input.userId === actor.userId) throw ownTarget("userId", "You cannot report yourself");
  const user = await app.db.user.findUnique({ where: { id: input.userId }, select: { id: true } });
  if (!user) throw notFound("User");
  return fileReport(app, actor, { targetType: "USER", reportedUserId: user.id }, input.reason);
}

/** Raised by the unique index when a concurrent identical report committed first. */
const duplicate = new AppError("CONFLICT", "An open report of this already exists");

async function fileReport(app: App, actor: UserActor, target: Target, reason: string): Promise<Report> {
  await app.rateLimiter.hit(reportRule, actor.userId);
  const where: Prisma.ReportWhereInput = { reporterId: actor.userId, status: "OPEN", ...target };
  const open = await app.db.report.findFirst({ where });
  if (open) return open;
  try {
    return await unitOfWork(
      app,
      (tx) => tx.report.create({ data: { reporterId: actor.userId, reason: reason.trim(), ...target } }),
      { errors: { unique: duplicate } },
    );
  } catch (error) {
    if (error !== duplicate) throw error;
    const winner = await app.db.report.findFirst({ where });
    if (!winner) throw error;
    return winner;
  }
}

export type ReportResolution = Exclude<ReportStatus, "OPEN">;

/** Closes an OPEN report as RESOLVED (acted on) or DISMISSED (nothing to do), with an optional note. */
export async function resolveReport(
  actor: UserActor,
  input: { reportId: string; resolution: ReportResolution; note?: string | null },
  app: App,
): Promise<Report> {
  return unitOfWork(app, async (tx) => {
    await tx.$queryRaw`SELECT id FROM reports WHERE id = ${input.reportId}::uuid FOR UPDATE`;
    const report = await tx.report.findUnique({ where: { id: input.reportId } });
    if (!report) throw notFound("Report");
    if (report.status !== "OPEN") throw invalidState(`The report is already ${report.status}`);
    const note = input.note?.trim() || null;
    const closed = await tx.report.update({
      where: { id: report.id },
      data: {
        status: input.resolution,
        resolutionNote: note,
        resolvedById: actor.userId,
        resolvedAt: app.clock.now(),
      },
    });
    await recordAction(tx, actor, {
      action: input.resolution === "RESOLVED" ? "report.resolved" : "report.dismissed",
      entityType: "Report",
      entityId: report.id,
      reason: note,
      before: { status: report.status },
      after: { status: closed.status, resolvedAt: closed.resolvedAt?.toISOString() ?? null },
      extra: { targetType: report.targetType },
    });
    return closed;
  });
}
