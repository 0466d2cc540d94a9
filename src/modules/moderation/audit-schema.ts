// The audit log in the schema: AuditLogEntry (admins only, as a node too) and the admins'
// `auditLog` query, newest first, filtered by entity, actor and action.
import { isAdmin } from "../../core/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeGlobalId, decodeIdOf, encodeGlobalId } from "../../graphql/global-id.ts";
import { inputRules, textRule } from "../../graphql/validation.ts";
import { auditLogWhere } from "./audit.ts";

const dataReason = (data: unknown): string | null => {
  const reason = data && typeof data === "object" ? (data as Record<string, unknown>).reason : undefined;
  return typeof reason === "string" ? reason : null;
};

builder.prismaNode("AuditLog", {
  name: "AuditLogEntry",
  id: { field: "id" },
  description:
    "One recorded change: who made it, from where, why, and the entity before and after. Admins only.",
  // node(id): admins only; to anyone else an entry does not exist.
  findUnique: (id, ctx) => (isAdmin(ctx.actor) ? { id } : { id, action: { in: [] } }),
  fields: (t) => ({
    action: t.exposeString("action", {
      description:
        'A dotted kind: "listing.suspended", "user.suspended", "review.hidden", "booking.refunded", ...',
    }),
    entityType: t.exposeString("entityType", {
      description: "The changed entity's type: Listing, User, Review, ...",
    }),
    entityId: t.id({
      nullable: true,
      description: "The changed entity's id (a Relay id of entityType).",
      resolve: (row) => (row.entityId ? encodeGlobalId(row.entityType, row.entityId) : null),
    }),
    actor: t.relation("actor", { nullable: true, description: "Who made the change; null for the system." }),
    reason: t.string({ nullable: true, resolve: (row) => dataReason(row.data) }),
    data: t.string({
      description: "The change as a JSON object: `before`, `after`, the reason and what else it recorded.",
      resolve: (row) => JSON.stringify(row.data),
    }),
    ip: t.exposeString("ip", { nullable: true }),
    requestId: t.exposeString("requestId", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const filterText = textRule({ max: 100 }).nullish();

const AuditLogFilter = builder.inputType("AuditLogFilter", {
  description: "Every given field must match.",
  validate: inputRules({ entityType: filterText, action: filterText }),
  fields: (t) => ({
    entityType: t.string({ description: "Listing, User, Review, Booking, Report, ..." }),
    entityId: t.id({ description: "Any entity's Relay id." }),
    actorId: t.id({ description: "The admin (a User id)." }),
    action: t.string({ description: 'E.g. "listing.suspended".' }),
  }),
});

type AuditLogFilterShape = {
  entityType?: string | null;
  entityId?: string | null;
  actorId?: string | null;
  action?: string | null;
};

function auditLogQuery(filter: AuditLogFilterShape | null | undefined) {
  const entity = filter?.entityId ? decodeGlobalId(filter.entityId) : null;
  return {
    AND: [
      auditLogWhere({
        entityType: filter?.entityType,
        action: filter?.action,
        actorId: filter?.actorId ? decodeIdOf("User", filter.actorId, "User") : null,
      }),
      entity ? { entityType: entity.typename, entityId: entity.id } : {},
    ],
  };
}

builder.queryField("auditLog", (t) =>
  t.prismaConnection(
    {
      type: "AuditLog",
      cursor: "id",
      description: "Admins only. Recorded changes, newest first. NOT_FOUND for a malformed id in the filter.",
      authScopes: { admin: true },
      args: { filter: t.arg({ type: AuditLogFilter, required: false }) },
      totalCount: (_parent, args, ctx) => ctx.app.db.auditLog.count({ where: auditLogQuery(args.filter) }),
      resolve: (query, _root, args, ctx) =>
        ctx.app.db.auditLog.findMany({
          ...query,
          where: auditLogQuery(args.filter),
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "AuditLogConnection" },
    { name: "AuditLogEdge" },
  ),
);
