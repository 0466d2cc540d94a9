// The audit trail of admin actions: one row per change, written through the change's own
// transaction (so a change that rolls back leaves no row, and no row claims a change that did not
// commit), holding who did it, from where (request id, IP), why, and the entity before and after.
import type { UserActor } from "../../core/actor.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Tx } from "../../infra/unit-of-work.ts";

/** Entity types as audit rows name them: the GraphQL type names, so ids encode as Relay ids. */
export type AuditEntityType = "Listing" | "User" | "Review" | "Booking" | "Report";

export interface AuditEntry {
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  /** The admin's reason, as they gave it. */
  reason?: string | null;
  before: Prisma.InputJsonObject;
  after: Prisma.InputJsonObject;
  /** Anything else worth keeping (what caused it, related ids). */
  extra?: Prisma.InputJsonObject;
}

export async function recordAction(tx: Tx, actor: UserActor, entry: AuditEntry): Promise<string> {
  const row = await tx.auditLog.create({
    data: {
      actorId: actor.userId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      data: {
        ...(entry.reason != null && { reason: entry.reason }),
        before: entry.before,
        after: entry.after,
        ...entry.extra,
      },
      ip: actor.origin?.ip ?? null,
      requestId: actor.origin?.requestId ?? null,
    },
    select: { id: true },
  });
  return row.id;
}

export interface AuditLogFilter {
  entityType?: string | null;
  entityId?: string | null;
  actorId?: string | null;
  action?: string | null;
}

/** The filter as a query: every given field must match exactly. */
export function auditLogWhere(filter: AuditLogFilter | null | undefined): Prisma.AuditLogWhereInput {
  return {
    ...(filter?.entityType != null && { entityType: filter.entityType }),
    ...(filter?.entityId != null && { entityId: filter.entityId }),
    ...(filter?.actorId != null && { actorId: filter.actorId }),
    ...(filter?.action != null && { action: filter.action }),
  };
}
