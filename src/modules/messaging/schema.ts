// Messaging in the schema: the Conversation and Message nodes, the caller's inbox, one
// conversation with its messages, and the messageAdded subscription (mutations are in
// mutation-schema.ts). Participants and admins read; the rest get NOT_FOUND.
import type { Context } from "../../context.ts";
import { notFound } from "../../core/errors.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { UserRef } from "../accounts/schema.ts";
import { ownConversationsWhere, visibleConversationsWhere, visibleMessagesWhere } from "./access.ts";
import "./events.ts";
import { messagesPage, unreadCounts } from "./pages.ts";

export const MessageRef = builder.prismaNode("Message", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, AND: [visibleMessagesWhere(ctx.actor)] }),
  fields: (t) => ({
    body: t.exposeString("body"),
    sender: t.relation("sender"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    conversation: t.relation("conversation"),
  }),
});

export const ConversationRef = builder.prismaNode("Conversation", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, AND: [visibleConversationsWhere(ctx.actor)] }),
  fields: (t) => ({
    listing: t.relation("listing", {
      nullable: true,
      description: "What the conversation is about; null once the listing is deleted.",
    }),
    booking: t.relation("booking", {
      nullable: true,
      description: "The guest's latest booking of the listing, if any.",
    }),
    participants: t.field({
      type: [UserRef],
      description: "The guest and the listing's host.",
      select: { participants: { include: { user: true }, orderBy: { joinedAt: "asc" } } },
      resolve: (conversation) => conversation.participants.map((participant) => participant.user),
    }),
    messages: t.connection({
      type: MessageRef,
      description: "Newest first; `first`/`after` page toward older messages.",
      resolve: (conversation, args, ctx) => messagesPage(ctx.app.db, conversation.id, args),
    }),
    unreadCount: t.int({
      description:
        "Messages from the others since the caller last read the conversation (0 for non-participants).",
      resolve: (conversation, _args, ctx) => unreadCounts(ctx).load(conversation.id),
    }),
    lastMessageAt: t.expose("lastMessageAt", { type: "DateTime", description: "Last activity." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  conversations: t.prismaConnection(
    {
      type: "Conversation",
      cursor: "id",
      description: "The caller's conversations, most recent activity first.",
      authScopes: { authenticated: true },
      totalCount: (_parent, _args, ctx) =>
        ctx.app.db.conversation.count({ where: ownConversationsWhere(requireActor(ctx).userId) }),
      resolve: (query, _root, _args, ctx) =>
        ctx.app.db.conversation.findMany({
          ...query,
          where: ownConversationsWhere(requireActor(ctx).userId),
          orderBy: [{ lastMessageAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "ConversationConnection" },
    { name: "ConversationEdge" },
  ),
  conversation: t.prismaField({
    type: "Conversation",
    nullable: true,
    description: "A conversation of the caller's (any, for admins). NOT_FOUND for anyone else's.",
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = decodeIdOf("Conversation", args.id, "Conversation");
      const conversation = await ctx.app.db.conversation.findFirst({
        ...query,
        where: { ...visibleConversationsWhere(ctx.actor), id },
      });
      if (!conversation) throw notFound("Conversation");
      return conversation;
    },
  }),
}));

/** Live messages go to participants only; admins read conversations but do not watch them. */
async function isParticipant(ctx: Context, conversationId: string): Promise<boolean> {
  if (!ctx.actor) return false;
  const participant = await ctx.app.db.conversationParticipant.findUnique({
    where: { conversationId_userId: { conversationId, userId: ctx.actor.userId } },
    select: { userId: true },
  });
  return participant !== null;
}

builder.subscriptionField("messageAdded", (t) =>
  t.field({
    type: MessageRef,
    description:
      "New messages in one of the caller's conversations. NOT_FOUND for anyone else's, admins included.",
    authScopes: { authenticated: true },
    args: { conversationId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      requireActor(ctx);
      const id = decodeIdOf("Conversation", args.conversationId, "Conversation");
      if (!(await isParticipant(ctx, id))) throw notFound("Conversation");
      return ctx.app.pubsub.subscribe("messageAdded", id);
    },
    // Read now: the event only names the message, and the reader must still take part.
    resolve: async (event, _args, ctx) => {
      const message = await ctx.app.db.message.findUnique({ where: { id: event.messageId } });
      if (!message || !(await isParticipant(ctx, message.conversationId))) throw notFound("Message");
      return message;
    },
  }),
);
