// Reports in the schema: reportListing, reportReview and reportUser for any signed-in user; the
// admins' queue (`reports`) and resolveReport. A report is visible to its reporter and admins.
import type { Prisma, Report } from "../../generated/prisma/client.ts";
import {
  type ReportStatus,
  ReportStatus as ReportStatusValues,
  type ReportTargetType,
  ReportTargetType as ReportTargetTypeValues,
} from "../../generated/prisma/enums.ts";
import { isAdmin } from "../../core/actor.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules } from "../../graphql/validation.ts";
import { reportListing, reportReview, reportUser, resolveReport, REPORTS_PER_HOUR } from "./reports.ts";
import { noteRule, REASON_MAX, reasonRule } from "./validation.ts";

const ReportStatusEnum = builder.enumType(ReportStatusValues, {
  name: "ReportStatus",
  description: "OPEN in the admins' queue; RESOLVED (acted on) or DISMISSED (nothing to do) once closed.",
});
const ReportTargetTypeEnum = builder.enumType(ReportTargetTypeValues, { name: "ReportTargetType" });
const ReportResolutionEnum = builder.enumType("ReportResolution", {
  values: ["RESOLVED", "DISMISSED"] as const,
});

export const ReportRef = builder.prismaNode("Report", {
  id: { field: "id" },
  description: "A user's report of a listing, a review or a user. Visible to its reporter and admins.",
  findUnique: (id, ctx) => {
    if (isAdmin(ctx.actor)) return { id };
    return ctx.actor ? { id, reporterId: ctx.actor.userId } : { id, reporterId: { in: [] } };
  },
  fields: (t) => ({
    targetType: t.expose("targetType", { type: ReportTargetTypeEnum }),
    listing: t.relation("listing", { nullable: true, description: "Set when targetType is LISTING." }),
    review: t.relation("review", { nullable: true, description: "Set when targetType is REVIEW." }),
    reportedUser: t.relation("reportedUser", { nullable: true, description: "Set when targetType is USER." }),
    reporter: t.relation("reporter"),
    reason: t.exposeString("reason"),
    status: t.expose("status", { type: ReportStatusEnum }),
    resolutionNote: t.exposeString("resolutionNote", { nullable: true }),
    resolvedBy: t.relation("resolvedBy", { nullable: true }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const reasonDescription = `What is wrong, 1 to ${REASON_MAX} characters (seen by Roost's admins only).`;

const ReportListingInput = builder.inputType("ReportListingInput", {
  validate: inputRules({ reason: reasonRule }),
  fields: (t) => ({
    listingId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonDescription }),
  }),
});
const ReportReviewInput = builder.inputType("ReportReviewInput", {
  validate: inputRules({ reason: reasonRule }),
  fields: (t) => ({
    reviewId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonDescription }),
  }),
});
const ReportUserInput = builder.inputType("ReportUserInput", {
  validate: inputRules({ reason: reasonRule }),
  fields: (t) => ({
    userId: t.id({ required: true }),
    reason: t.string({ required: true, description: reasonDescription }),
  }),
});

const ReportPayload = (name: string) =>
  builder.objectRef<{ report: Report }>(name).implement({
    fields: (t) => ({ report: t.field({ type: ReportRef, resolve: (payload) => payload.report }) }),
  });

const duplicates = `While the caller's report of it is OPEN, reporting again returns that report unchanged. At most ${REPORTS_PER_HOUR} reports an hour (RATE_LIMITED).`;

builder.mutationFields((t) => ({
  reportListing: t.field({
    type: ReportPayload("ReportListingPayload"),
    description: `Reports a listing the caller can see (not their own: BAD_USER_INPUT). ${duplicates}`,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ReportListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      report: await reportListing(
        requireActor(ctx),
        { listingId: decodeIdOf("Listing", input.listingId, "Listing"), reason: input.reason },
        ctx.app,
      ),
    }),
  }),
  reportReview: t.field({
    type: ReportPayload("ReportReviewPayload"),
    description: `Reports a review the caller can see (not their own: BAD_USER_INPUT). ${duplicates}`,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ReportReviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      report: await reportReview(
        requireActor(ctx),
        { reviewId: decodeIdOf("Review", input.reviewId, "Review"), reason: input.reason },
        ctx.app,
      ),
    }),
  }),
  reportUser: t.field({
    type: ReportPayload("ReportUserPayload"),
    description: `Reports another user (not oneself: BAD_USER_INPUT). ${duplicates}`,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ReportUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      report: await reportUser(
        requireActor(ctx),
        { userId: decodeIdOf("User", input.userId, "User"), reason: input.reason },
        ctx.app,
      ),
    }),
  }),
}));

const ResolveReportInput = builder.inputType("ResolveReportInput", {
  validate: inputRules({ note: noteRule.nullish() }),
  fields: (t) => ({
    reportId: t.id({ required: true }),
    resolution: t.field({ type: ReportResolutionEnum, required: true }),
    note: t.string({ description: `For the audit log, at most ${REASON_MAX} characters.` }),
  }),
});

builder.mutationField("resolveReport", (t) =>
  t.field({
    type: ReportPayload("ResolveReportPayload"),
    description: "Admins only. Closes an OPEN report as RESOLVED or DISMISSED; INVALID_STATE once closed.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ResolveReportInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      report: await resolveReport(
        requireActor(ctx),
        {
          reportId: decodeIdOf("Report", input.reportId, "Report"),
          resolution: input.resolution,
          note: input.note,
        },
        ctx.app,
      ),
    }),
  }),
);

const ReportFilter = builder.inputType("ReportFilter", {
  fields: (t) => ({
    status: t.field({ type: [ReportStatusEnum], description: "Any of these (all statuses when omitted)." }),
    targetType: t.field({ type: ReportTargetTypeEnum }),
  }),
});

builder.queryField("reports", (t) =>
  t.prismaConnection(
    {
      type: "Report",
      cursor: "id",
      description: "Admins only. The reports queue: OPEN ones first, then closed ones, oldest first.",
      authScopes: { admin: true },
      args: { filter: t.arg({ type: ReportFilter, required: false }) },
      totalCount: (_parent, args, ctx) => ctx.app.db.report.count({ where: reportsWhere(args.filter) }),
      resolve: (query, _root, args, ctx) =>
        ctx.app.db.report.findMany({
          ...query,
          where: reportsWhere(args.filter),
          // The enum's order is the queue's: OPEN, RESOLVED, DISMISSED.
          orderBy: [{ status: "asc" }, { createdAt: "asc" }, { id: "asc" }],
        }),
    },
    { name: "ReportConnection" },
    { name: "ReportEdge" },
  ),
);

function reportsWhere(
  filter:
    { status?: readonly ReportStatus[] | null; targetType?: ReportTargetType | null } | null | undefined,
): Prisma.ReportWhereInput {
  return {
    ...(filter?.status?.length && { status: { in: [...filter.status] } }),
    ...(filter?.targetType && { targetType: filter.targetType }),
  };
}
