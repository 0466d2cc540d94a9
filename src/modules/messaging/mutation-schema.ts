// The messaging mutations in the schema: sendMessage and markConversationRead. Resolvers decode
// ids and call the use cases, which decide who may write (NOT_FOUND for non-participants).
import type { Conversation, Message } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules, textRule } from "../../graphql/validation.ts";
import { ConversationRef, MessageRef } from "./schema.ts";
import { markConversationRead, sendMessage } from "./service.ts";
import { MESSAGE_MAX } from "./thread.ts";

const SendMessageInput = builder.inputType("SendMessageInput", {
  validate: inputRules({ body: textRule({ min: 1, max: MESSAGE_MAX, multiline: true }) }),
  fields: (t) => ({
    conversationId: t.id({ description: "The conversation to write in; or give listingId." }),
    listingId: t.id({
      description:
        "An inquiry: writes in the caller's conversation with the listing's host, opening it if need be. Not for the listing's own host (BAD_USER_INPUT).",
    }),
    body: t.string({ required: true, description: `1 to ${MESSAGE_MAX} characters.` }),
  }),
});

const MarkConversationReadInput = builder.inputType("MarkConversationReadInput", {
  fields: (t) => ({ conversationId: t.id({ required: true }) }),
});

const SendMessagePayload = builder.objectRef<{ message: Message }>("SendMessagePayload").implement({
  fields: (t) => ({ message: t.field({ type: MessageRef, resolve: (payload) => payload.message }) }),
});

const MarkConversationReadPayload = builder
  .objectRef<{ conversation: Conversation }>("MarkConversationReadPayload")
  .implement({
    fields: (t) => ({
      conversation: t.field({ type: ConversationRef, resolve: (payload) => payload.conversation }),
    }),
  });

const conversationIdOf = (id: string) => decodeIdOf("Conversation", id, "Conversation");

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: SendMessagePayload,
    description:
      "Writes a message in a conversation of the caller's, or asks a listing's host (listingId). The other participant is notified. RATE_LIMITED past the per-minute limit.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: SendMessageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      message: await sendMessage(
        requireActor(ctx),
        {
          body: input.body,
          conversationId: input.conversationId ? conversationIdOf(input.conversationId) : null,
          listingId: input.listingId ? decodeIdOf("Listing", input.listingId, "Listing") : null,
        },
        ctx.app,
      ),
    }),
  }),
  markConversationRead: t.field({
    type: MarkConversationReadPayload,
    description: "The caller has read the conversation up to its latest message (its unreadCount becomes 0).",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: MarkConversationReadInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      conversation: await markConversationRead(
        requireActor(ctx),
        { conversationId: conversationIdOf(input.conversationId) },
        ctx.app,
      ),
    }),
  }),
}));
