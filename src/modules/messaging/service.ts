// Messaging use cases: send a message (in a conversation, or as an inquiry about a listing, which
// opens the guest's one conversation with its host) and mark a conversation read.
import type { App } from "../../app.ts";
import { isAdmin, type UserActor } from "../../core/actor.ts";
import { badInput, forbidden, notFound } from "../../core/errors.ts";
import type { Conversation, Message } from "../../generated/prisma/client.ts";
import type { RateLimitRule } from "../../infra/rate-limit.ts";
import { type Tx, unitOfWork } from "../../infra/unit-of-work.ts";
import { addMessage, lockedConversation, MESSAGE_MAX, openConversation } from "./thread.ts";

export interface SendMessageInput {
  /** Raw ids: exactly one of them. */
  conversationId?: string | null;
  listingId?: string | null;
  body: string;
}

const sendRule = (app: App): RateLimitRule => ({
  name: "message:user",
  limit: app.config.messaging.messagesPerMinute,
  windowSeconds: 60,
});

export async function sendMessage(actor: UserActor, input: SendMessageInput, app: App): Promise<Message> {
  const body = input.body.trim();
  if (Boolean(input.conversationId) === Boolean(input.listingId)) {
    const message = "give exactly one of conversationId and listingId";
    throw badInput([
      { path: "conversationId", message },
      { path: "listingId", message },
    ]);
  }
  // Edge validation has checked the body; this guards callers that skip it (REST, jobs).
  if (!body || body.length > MESSAGE_MAX) {
    throw badInput([{ path: "body", message: `must be 1 to ${MESSAGE_MAX} characters` }]);
  }
  // Counted before the work, so concurrent sends cannot all pass (see rate-limit.ts).
  await app.rateLimiter.hit(sendRule(app), actor.userId);
  const message = await unitOfWork(app, async (tx, effects) => {
    const conversation = input.conversationId
      ? await writableConversation(tx, actor, input.conversationId)
      : await inquiryConversation(tx, actor, input.listingId ?? "", app);
    return addMessage(tx, effects, app, conversation, { senderId: actor.userId, body });
  });
  app.logger.info({ messageId: message.id, conversationId: message.conversationId }, "message sent");
  return message;
}

/** A conversation the actor takes part in, locked. Admins may read others' but not write: FORBIDDEN. */
async function writableConversation(tx: Tx, actor: UserActor, conversationId: string): Promise<Conversation> {
  const conversation = await lockedConversation(tx, conversationId);
  if (!conversation) throw notFound("Conversation");
  const participant = await tx.conversationParticipant.findUnique({
    where: { conversationId_userId: { conversationId, userId: actor.userId } },
  });
  if (participant) return conversation;
  if (isAdmin(actor)) throw forbidden("Admins read conversations but do not write in them");
  throw notFound("Conversation");
}

/**
 * An inquiry: the guest's conversation with the listing's host, opened if need be. A new one needs
 * a LISTED listing (what the guest can find); an existing one carries on whatever the listing's
 * status. A host cannot inquire about their own listing: BAD_USER_INPUT (they answer in the
 * guests' conversations, by conversationId).
 */
async function inquiryConversation(
  tx: Tx,
  actor: UserActor,
  listingId: string,
  app: App,
): Promise<Conversation> {
  const listing = await tx.listing.findUnique({
    where: { id: listingId },
    select: { id: true, hostId: true, status: true },
  });
  if (!listing) throw notFound("Listing");
  if (listing.hostId === actor.userId) {
    throw badInput([
      { path: "listingId", message: "is your own listing: answer guests in their conversations" },
    ]);
  }
  if (listing.status !== "LISTED") {
    const existing = await tx.conversation.findUnique({
      where: { guestId_listingId: { guestId: actor.userId, listingId } },
      select: { id: true },
    });
    if (!existing) throw notFound("Listing");
  }
  return openConversation(tx, app, { guestId: actor.userId, listingId, hostId: listing.hostId });
}

/**
 * The caller has read the conversation up to its last message. Only participants have a place to
 * mark: an admin reading someone else's conversation is FORBIDDEN, anyone else NOT_FOUND.
 */
export async function markConversationRead(
  actor: UserActor,
  input: { conversationId: string },
  app: App,
): Promise<Conversation> {
  return unitOfWork(app, async (tx) => {
    const conversation = await writableConversation(tx, actor, input.conversationId);
    // Message times may run a little ahead of the clock (thread.ts): read covers the last one.
    const now = app.clock.now();
    const readAt = now > conversation.lastMessageAt ? now : conversation.lastMessageAt;
    await tx.conversationParticipant.update({
      where: { conversationId_userId: { conversationId: conversation.id, userId: actor.userId } },
      data: { lastReadAt: readAt },
    });
    return conversation;
  });
}
