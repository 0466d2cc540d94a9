// In-app notifications and their e-mail twins, written inside the transaction of the job or use
// case that causes them, and what their owner does with them (read, mark read). A notice has a
// dedupe key, so a retried job creates it (and queues its e-mail) once.
import { randomUUID } from "node:crypto";
import type { UserActor } from "../../core/actor.ts";
import { notFound } from "../../core/errors.ts";
import type { Notification } from "../../generated/prisma/client.ts";
import { addJob } from "../../infra/jobs.ts";
import { type Effects, type Tx, unitOfWork, type UnitOfWorkDeps } from "../../infra/unit-of-work.ts";
import type { Clock } from "../../infra/clock.ts";
import type { SendEmailPayload } from "./email.ts";
import "./events.ts";

export interface Notice {
  userId: string;
  /** A stable kind clients can switch on, e.g. "booking.confirmed". */
  type: string;
  title: string;
  body: string;
  /** Ids the client needs to open what the notice is about. */
  data: Record<string, string>;
  /** Where the e-mail points. */
  link: string;
  /** The e-mail's button ("Open in Roost" unless given). */
  linkLabel?: string;
  /** The link is a credential (a one-time download): only the e-mail itself carries it. */
  linkIsSecret?: boolean;
  /** Unique per notice: the same key never notifies twice. */
  dedupeKey: string;
}

/**
 * Creates the notification, queues its e-mail and raises notificationAdded for its owner (after
 * commit, through the outbox); false when this key was already notified, or the owner has deleted
 * their account (the KEY SHARE lock waits for a deletion in progress, then sees it).
 */
export async function notify(tx: Tx, effects: Pick<Effects, "outbox">, notice: Notice): Promise<boolean> {
  const inserted = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO notifications (user_id, type, title, body, data, dedupe_key)
    SELECT id, ${notice.type}, ${notice.title}, ${notice.body},
           ${JSON.stringify(notice.data)}::jsonb, ${notice.dedupeKey}
    FROM users WHERE id = ${notice.userId}::uuid AND deleted_at IS NULL
    FOR KEY SHARE
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id::text`;
  const notificationId = inserted[0]?.id;
  if (!notificationId) return false;
  const user = await tx.user.findUniqueOrThrow({
    where: { id: notice.userId },
    select: { email: true, firstName: true },
  });
  const email: SendEmailPayload = {
    emailId: randomUUID(),
    template: "notice",
    to: user.email,
    notificationId,
    ...(notice.linkIsSecret && { redactLinks: true }),
    data: {
      firstName: user.firstName,
      title: notice.title,
      body: notice.body,
      link: notice.link,
      ...(notice.linkLabel && { linkLabel: notice.linkLabel }),
    },
  };
  await addJob(tx, "send_email", email, { maxAttempts: 10 });
  effects.outbox({ topic: "notificationAdded", id: notice.userId, payload: { notificationId } });
  return true;
}

/** The most ids markNotificationsRead takes at once (the payload lists them). */
export const MARK_READ_MAX_IDS = 100;

export interface MarkReadResult {
  /** Notifications that were unread and are read now. */
  markedCount: number;
  /** The named notifications as they are now, in the order named (empty when all were marked). */
  notifications: Notification[];
}

/**
 * Marks the caller's notifications read: the named ones, or all of them when none are named.
 * Any id that is not the caller's notification is NOT_FOUND, and then nothing is marked. Already
 * read ones keep the time they were first read.
 */
export async function markNotificationsRead(
  actor: UserActor,
  input: { notificationIds?: readonly string[] | null },
  app: UnitOfWorkDeps & { clock: Clock },
): Promise<MarkReadResult> {
  const ids = input.notificationIds ? [...new Set(input.notificationIds)] : undefined;
  return unitOfWork(app, async (tx) => {
    const mine = { userId: actor.userId, ...(ids ? { id: { in: ids } } : {}) };
    if (ids && (await tx.notification.count({ where: mine })) !== ids.length) throw notFound("Notification");
    const marked = await tx.notification.updateMany({
      where: { ...mine, readAt: null },
      data: { readAt: app.clock.now() },
    });
    const rows = ids ? await tx.notification.findMany({ where: mine }) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return { markedCount: marked.count, notifications: (ids ?? []).flatMap((id) => byId.get(id) ?? []) };
  });
}
