// Background tasks of the notifications module: send_email.
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { renderEmail, type SendEmailPayload, withoutLinks } from "./email.ts";
import { createMailer, type Mailer } from "./mailer.ts";

/**
 * Sends a queued e-mail once: an email_outbox row per sent e-mail (id = emailId) is checked
 * first and written after the send, so a job that runs again after success sends nothing. A
 * failed send throws, and graphile-worker retries with backoff (maxAttempts set at queue time).
 * The window left: a crash after the server accepted the e-mail and before the row is written
 * sends it again on retry. Both copies carry the same Message-ID (mailer.ts messageIdOf), so
 * the duplicate is recognisable, but it is not prevented: delivery is at least once.
 *
 * A notification's twin is written from the notification as it is now: one erased since it was
 * queued (its owner, or a person it named, deleted their account) is not sent, or sent as erased.
 */
export const sendEmail =
  (app: App, mailer: Mailer): Task =>
  async (rawPayload) => {
    const sent = await app.db.emailOutbox.findUnique({
      where: { id: (rawPayload as SendEmailPayload).emailId },
      select: { id: true },
    });
    if (sent) return;
    const payload = await asQueuedNow(app, rawPayload as SendEmailPayload);
    if (!payload) return;
    const context = { appUrl: app.config.appUrl };
    const rendered = renderEmail(payload, context);
    await mailer.send({ ...rendered, emailId: payload.emailId, to: payload.to });
    const stored = payload.redactLinks ? renderEmail(withoutLinks(payload), context) : rendered;
    await app.db.emailOutbox.upsert({
      where: { id: payload.emailId },
      create: {
        id: payload.emailId,
        toAddress: payload.to,
        template: payload.template,
        subject: stored.subject,
        body: stored.text,
        notificationId: payload.notificationId ?? null,
        sentAt: app.clock.now(),
      },
      update: {},
    });
  };

/** A notice with the current text and recipient of its notification; null when there is none any more. */
async function asQueuedNow(app: App, payload: SendEmailPayload): Promise<SendEmailPayload | null> {
  if (payload.template !== "notice" || !payload.notificationId) return payload;
  const notification = await app.db.notification.findUnique({
    where: { id: payload.notificationId },
    select: { title: true, body: true, user: { select: { email: true, firstName: true, deletedAt: true } } },
  });
  if (!notification || notification.user.deletedAt) return null;
  const { title, body, user } = notification;
  return { ...payload, to: user.email, data: { ...payload.data, firstName: user.firstName, title, body } };
}

export const notificationTasks = (app: App) => ({
  send_email: sendEmail(app, createMailer(app.config.mail)),
});
