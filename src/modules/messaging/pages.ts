// Reading conversations in pages: a conversation's messages newest first by keyset on
// (created_at, id), and the unread counts of a page of conversations in one grouped query.
import { createContextCache } from "@pothos/core";
import DataLoader from "dataloader";
import type { Context } from "../../context.ts";
import { badInput } from "../../core/errors.ts";
import type { Message, Prisma } from "../../generated/prisma/client.ts";
import type { Db } from "../../infra/db.ts";

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

interface Position {
  createdAt: Date;
  id: string;
}

export interface MessagePage {
  edges: Array<{ cursor: string; node: Message }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export const messageCursor = (message: Position): string =>
  Buffer.from(`${message.createdAt.toISOString()}|${message.id}`, "utf8").toString("base64url");

function positionOf(cursor: string, path: string): Position {
  const [at, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (extra !== undefined || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw badInput([{ path, message: "is not a cursor of this list" }]);
  }
  return { createdAt, id };
}

function pageSize(value: number | null | undefined, path: string): number {
  if (value == null) return DEFAULT_PAGE;
  if (value < 0) throw badInput([{ path, message: "must not be negative" }]);
  return Math.min(value, MAX_PAGE);
}

/** Messages older than a position (newer with `newer`), in the order (created_at, id). */
const beyond = ({ createdAt, id }: Position, newer: boolean): Prisma.MessageWhereInput => ({
  OR: [
    { createdAt: newer ? { gt: createdAt } : { lt: createdAt } },
    { createdAt, id: newer ? { gt: id } : { lt: id } },
  ],
});

/**
 * One page of a conversation's messages, newest first. `first`/`after` walk toward older
 * messages, `last`/`before` toward newer ones (Relay's backward pagination).
 */
export async function messagesPage(db: Db, conversationId: string, args: PageArgs): Promise<MessagePage> {
  if (args.first != null && args.last != null) {
    throw badInput([{ path: "last", message: "give first or last, not both" }]);
  }
  const backward = args.last != null || (args.before != null && args.first == null);
  const size = backward ? pageSize(args.last, "last") : pageSize(args.first, "first");
  const cursor = backward ? args.before : args.after;
  const position = cursor ? positionOf(cursor, backward ? "before" : "after") : undefined;
  const direction = backward ? "asc" : "desc";
  const rows = await db.message.findMany({
    where: { conversationId, ...(position ? beyond(position, backward) : {}) },
    orderBy: [{ createdAt: direction }, { id: direction }],
    take: size + 1,
  });
  const more = rows.length > size;
  const page = rows.slice(0, size);
  if (backward) page.reverse();
  const edges = page.map((node) => ({ cursor: messageCursor(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? Boolean(position) : more,
      hasPreviousPage: backward ? more : Boolean(position),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * Unread messages per conversation for the caller: from others, after the caller's last read.
 * Batched per request, so a page of conversations asks once (no N+1).
 */
export const unreadCounts = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, number>(async (conversationIds) => {
      const userId = ctx.actor?.kind === "user" ? ctx.actor.userId : null;
      if (!userId) return conversationIds.map(() => 0);
      const rows = await ctx.app.db.$queryRaw<Array<{ id: string; unread: bigint }>>`
        SELECT p.conversation_id::text AS id, count(m.id) AS unread
        FROM conversation_participants p
        JOIN messages m ON m.conversation_id = p.conversation_id
         AND m.sender_id <> p.user_id
         AND m.created_at > COALESCE(p.last_read_at, '-infinity'::timestamptz)
        WHERE p.user_id = ${userId}::uuid AND p.conversation_id = ANY(${[...conversationIds]}::uuid[])
        GROUP BY p.conversation_id`;
      const byId = new Map(rows.map((row) => [row.id, Number(row.unread)]));
      return conversationIds.map((id) => byId.get(id) ?? 0);
    }),
);
