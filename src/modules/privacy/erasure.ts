// Erasing a person from what stays behind them: the tombstone values a deleted account keeps, and
// the text of other people's notifications (and their e-mailed copies) that named them or quoted
// their messages. Names are matched as whole words, case-insensitively, so "Ann" leaves "Annex".
import type { Tx } from "../../infra/unit-of-work.ts";

/** What a deleted user is shown as, wherever they appeared (review author, message sender, host). */
export const DELETED_USER_NAME = "Deleted user";
/** A deleted user's messages keep their place in the conversation, not their words. */
export const ERASED_MESSAGE_BODY = "[message deleted]";
/** Not an argon2 hash: no password verifies against it. */
export const ERASED_PASSWORD_HASH = "!account-deleted";

/**
 * A unique address that frees the real one for a new sign-up and can never be delivered to
 * (.invalid is reserved, RFC 2606). It names the user only by their opaque id.
 */
export const erasedEmail = (userId: string): string => `deleted-${userId}@deleted.roost.invalid`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces each name (full name first) where it stands as a whole word. */
export function eraseNames(text: string, names: readonly string[]): string {
  const candidates = [...new Set(names.map((name) => name.trim()).filter((name) => name.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  if (candidates.length === 0) return text;
  const words = candidates.map((name) => escapeRegExp(name).replace(/\s+/g, "\\s+")).join("|");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${words})(?![\\p{L}\\p{N}_])`, "giu");
  return text.replace(pattern, DELETED_USER_NAME);
}

export interface ErasedPerson {
  userId: string;
  firstName: string;
  lastName: string;
}

/**
 * Other users' notifications about the person's bookings, messages, reviews and conversations:
 * the person's names become DELETED_USER_NAME and a quoted message of theirs becomes
 * ERASED_MESSAGE_BODY, in the notification and in the stored copy of its e-mail. Returns how many
 * notifications changed. Run before the person's messages are erased (it finds them by sender).
 */
export async function eraseFromOthersNotifications(tx: Tx, person: ErasedPerson): Promise<number> {
  const { userId } = person;
  const related = await tx.$queryRaw<
    Array<{ id: string; title: string; body: string; quotesTheirMessage: boolean }>
  >`
    SELECT n.id::text, n.title, n.body,
           (n.data ->> 'messageId') IN (SELECT id::text FROM messages WHERE sender_id = ${userId}::uuid)
             AS "quotesTheirMessage"
    FROM notifications n
    WHERE n.user_id <> ${userId}::uuid
      AND (   (n.data ->> 'bookingId') IN (SELECT id::text FROM bookings
                                          WHERE guest_id = ${userId}::uuid OR host_id = ${userId}::uuid)
           OR (n.data ->> 'messageId') IN (SELECT id::text FROM messages WHERE sender_id = ${userId}::uuid)
           OR (n.data ->> 'reviewId') IN (SELECT id::text FROM reviews
                                         WHERE author_id = ${userId}::uuid OR subject_id = ${userId}::uuid)
           OR (n.data ->> 'conversationId') IN (SELECT conversation_id::text FROM conversation_participants
                                               WHERE user_id = ${userId}::uuid))`;
  const names = [`${person.firstName} ${person.lastName}`, person.firstName, person.lastName];
  let changed = 0;
  for (const notification of related) {
    const title = eraseNames(notification.title, names);
    const body = notification.quotesTheirMessage ? ERASED_MESSAGE_BODY : eraseNames(notification.body, names);
    if (title === notification.title && body === notification.body) continue;
    await tx.notification.update({ where: { id: notification.id }, data: { title, body } });
    // The e-mail's subject is the title, its text holds the body verbatim (email-layout.ts).
    await tx.$executeRaw`
      UPDATE email_outbox
      SET subject = replace(subject, ${notification.title}, ${title}),
          body = replace(body, ${notification.body}, ${body})
      WHERE notification_id = ${notification.id}::uuid`;
    changed += 1;
  }
  return changed;
}
