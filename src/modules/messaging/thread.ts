// A conversation's rows inside someone else's transaction: open (or find) the one conversation of a
// guest and a listing, lock it, and add a message with its notice and its event. sendMessage and
// requestBooking both write through these, so a message is the same wherever it comes from.
import type { App } from "../../app.ts";
import type { Booking, Conversation, Message } from "../../generated/prisma/client.ts";
import type { Effects, Tx } from "../../infra/unit-of-work.ts";
import { notify } from "../notifications/service.ts";
import "./events.ts";

export const MESSAGE_MAX = 5_000;
/** How much of a message its notice quotes. */
const NOTICE_EXCERPT = 200;

/**
 * The conversation of this guest and listing, created if there is none, and locked either way.
 * One statement: concurrent first messages meet on the unique (guest_id, listing_id), the later
 * waits for the earlier to commit and then takes its row. Both are participants.
 */
export async function openConversation(
  tx: Tx,
  app: Pick<App, "clock">,
  parties: { guestId: string; listingId: string; hostId: string },
): Promise<Conversation> {
  const now = app.clock.now();
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO conversations (guest_id, listing_id, last_message_at, created_at)
    VALUES (${parties.guestId}::uuid, ${parties.listingId}::uuid, ${now}, ${now})
    ON CONFLICT (guest_id, listing_id) DO UPDATE SET guest_id = EXCLUDED.guest_id
    RETURNING id::text`;
  if (!row) throw new Error("conversation upsert returned no row");
  await tx.conversationParticipant.createMany({
    data: [parties.guestId, parties.hostId].map((userId) => ({ conversationId: row.id, userId })),
    skipDuplicates: true,
  });
  return tx.conversation.findUniqueOrThrow({ where: { id: row.id } });
}

/** The conversation row, locked for the rest of the transaction, or null. */
export async function lockedConversation(tx: Tx, conversationId: string): Promise<Conversation | null> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text FROM conversations WHERE id = ${conversationId}::uuid FOR UPDATE`;
  return rows.length ? tx.conversation.findUnique({ where: { id: conversationId } }) : null;
}

/**
 * Adds a message to a locked conversation. Its time is the clock's, but always after the
 * conversation's last message, so a conversation's messages have one order (a keyset page never
 * skips or repeats one) whatever the clock says. The sender has read everything up to it; every
 * other participant is notified (in this transaction); subscribers hear of it after commit.
 */
export async function addMessage(
  tx: Tx,
  effects: Effects,
  app: Pick<App, "clock" | "config">,
  conversation: Conversation,
  message: { senderId: string; body: string },
): Promise<Message> {
  const now = app.clock.now().getTime();
  const createdAt = new Date(Math.max(now, conversation.lastMessageAt.getTime() + 1));
  const created = await tx.message.create({
    data: { conversationId: conversation.id, senderId: message.senderId, body: message.body, createdAt },
    include: { sender: { select: { firstName: true } } },
  });
  await tx.conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: createdAt } });
  await tx.conversationParticipant.updateMany({
    where: { conversationId: conversation.id, userId: message.senderId },
    data: { lastReadAt: createdAt },
  });
  const others = await tx.conversationParticipant.findMany({
    where: { conversationId: conversation.id, userId: { not: message.senderId } },
    select: { userId: true },
  });
  for (const { userId } of others) {
    await notify(tx, effects, {
      userId,
      type: "message.received",
      title: `New message from ${created.sender.firstName}`,
      body: excerpt(created.body),
      data: { conversationId: conversation.id, messageId: created.id },
      link: `${app.config.appUrl}/conversations/${conversation.id}`,
      dedupeKey: `message:${created.id}:${userId}`,
    });
  }
  effects.outbox({
    topic: "messageAdded",
    id: conversation.id,
    payload: { conversationId: conversation.id, messageId: created.id },
  });
  const { sender: _sender, ...row } = created;
  return row;
}

/**
 * A booking carries on the guest's conversation with the host about the listing (opened now if
 * there is none): the conversation now points at this booking, the newest, and the request's
 * message, if any, is its next message. Runs in the booking's transaction.
 */
export async function carryBookingConversation(
  tx: Tx,
  effects: Effects,
  app: Pick<App, "clock" | "config">,
  booking: Pick<Booking, "id" | "guestId" | "hostId" | "listingId" | "message">,
): Promise<Conversation> {
  const opened = await openConversation(tx, app, booking);
  const conversation = await tx.conversation.update({
    where: { id: opened.id },
    data: { bookingId: booking.id },
  });
  if (booking.message) {
    await addMessage(tx, effects, app, conversation, { senderId: booking.guestId, body: booking.message });
  }
  return conversation;
}

const excerpt = (body: string): string =>
  body.length <= NOTICE_EXCERPT ? body : `${body.slice(0, NOTICE_EXCERPT - 1)}…`;
