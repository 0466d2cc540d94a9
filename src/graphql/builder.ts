// The one SchemaBuilder: plugins (scope-auth first), context, scalars. Defines no types.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin, { resolveNodes } from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import ValidationPlugin from "@pothos/plugin-validation";
import { type GraphQLSchema, isObjectType } from "graphql";
import type { Context } from "../context.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";
import { AppError, badInput, type FieldError, forbidden, notFound, unauthenticated } from "../core/errors.ts";
import { isListingOwner } from "../modules/listings/access.ts";
import { decodeGlobalId, encodeGlobalId } from "./global-id.ts";

export interface AuthScopes {
  /** Any signed-in user. */
  authenticated: boolean;
  admin: boolean;
  /** The signed-in user is this user (or an admin). */
  selfOrAdmin: string;
  /** The signed-in user hosts this listing (raw id), or is an admin; NOT_FOUND if they cannot see it. */
  listingOwner: string;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    /** Calendar date, YYYY-MM-DD. */
    Date: { Input: string; Output: string | Date };
    DateTime: { Input: Date; Output: Date };
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      authenticated: ctx.actor !== null,
      admin: ctx.actor?.role === "ADMIN",
      selfOrAdmin: (userId) =>
        ctx.actor !== null && (ctx.actor.userId === userId || ctx.actor.role === "ADMIN"),
      listingOwner: (listingId) => isListingOwner(ctx, listingId),
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.actor ? forbidden() : unauthenticated(ctx.authFailure ?? "Authentication required"),
  },
  prisma: {
    client: (ctx) => ctx.app.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // The schema is built at import time, before config is loaded: read the one flag directly.
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    encodeGlobalID: (typename, id) => encodeGlobalId(typename, String(id)),
    decodeGlobalID: (globalId) => decodeGlobalId(globalId),
    // CONTRACT §3: an id of another type or naming nothing visible is NOT_FOUND.
    nodeQueryOptions: {
      nullable: true,
      resolve: async (_root, { id }, _ctx, info, resolveNode) => {
        const node = isNodeType(info.schema, id.typename) ? await loadOrNull(() => resolveNode(id)) : null;
        if (node == null) throw notFound();
        return node;
      },
    },
    // Ours below: the plugin decodes every id before the resolver runs, so one bad id failed them all.
    nodesQueryOptions: false,
  },
  validation: {
    validationError: (result) => {
      const fields: FieldError[] = result.issues.map((issue) => ({
        path: (issue.path ?? [])
          .map((segment) => (typeof segment === "object" ? String(segment.key) : String(segment)))
          // Arguments are validated under their argument name; clients know the input's own fields.
          .filter((segment, index) => !(index === 0 && segment === "input"))
          .join("."),
        message: issue.message,
      }));
      return new AppError("BAD_USER_INPUT", "Invalid input", { fields });
    },
  },
});

function isNodeType(schema: GraphQLSchema, typename: string): boolean {
  const type = schema.getType(typename);
  return isObjectType(type) && type.getInterfaces().some((iface) => iface.name === "Node");
}

/** A node that does not exist reads as null (Prisma reports it as P2025). */
async function loadOrNull<T>(load: () => Promise<T> | T): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: unknown }).code === "P2025") return null;
    throw error;
  }
}

builder.queryType({});

/** Most ids one `nodes` call takes; the query cost counts each (limits.ts). */
export const NODES_MAX_IDS = 100;

// CONTRACT §3 for a list: a malformed id, one of another type or naming nothing visible is
// null at its position, while `node(id:)` answers NOT_FOUND for it.
builder.queryField("nodes", (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, { ids }, ctx, info) => {
      if (ids.length > NODES_MAX_IDS) {
        throw badInput([{ path: "ids", message: `must hold at most ${NODES_MAX_IDS} ids` }]);
      }
      return ids.map((globalId) => {
        const id = decodedOrNull(globalId);
        if (!id || !isNodeType(info.schema, id.typename)) return null;
        // One id per call: a missing row rejects its own load, not the others'.
        return loadOrNull(async () => (await resolveNodes(builder, ctx, info, [id]))[0]);
      });
    },
  }),
);

function decodedOrNull(globalId: string): { typename: string; id: string } | null {
  try {
    return decodeGlobalId(globalId);
  } catch {
    return null;
  }
}

builder.mutationType({});
export type SchemaTypes = typeof builder.$inferSchemaTypes;
