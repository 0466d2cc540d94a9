// Who may see a conversation: its participants (the guest and the listing's host), and admins,
// who may read any conversation but neither write in it nor watch it. To anyone else it does
// not exist (NOT_FOUND).
import { isAdmin, type MaybeActor } from "../../core/actor.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

/** The conversations an actor may read, as a query filter. */
export function visibleConversationsWhere(actor: MaybeActor): Prisma.ConversationWhereInput {
  if (isAdmin(actor)) return {};
  if (actor?.kind !== "user") return { id: { in: [] } };
  return { participants: { some: { userId: actor.userId } } };
}

/** The conversations the actor takes part in (an admin's own, too): their inbox. */
export const ownConversationsWhere = (userId: string): Prisma.ConversationWhereInput => ({
  participants: { some: { userId } },
});

/** The messages an actor may read: those of the conversations they may read. */
export const visibleMessagesWhere = (actor: MaybeActor): Prisma.MessageWhereInput =>
  isAdmin(actor) ? {} : { conversation: visibleConversationsWhere(actor) };
