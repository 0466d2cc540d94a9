// Background tasks of the notifications module: send_email.
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { renderEmail, type SendEmailPayload } from "./email.ts";
import { createMailer, type Mailer } from "./mailer.ts";

/**
 * Sends a queued e-mail once: an email_outbox row per sent e-mail (id = emailId) is checked
 * first and written after the send, so a job that runs again after success sends nothing. A
 * failed send throws, and graphile-worker retries with backoff (maxAttempts set at queue time).
 * The window left: a crash after the server accepted the e-mail and before the row is written
 * sends it again on retry. Both copies carry the same Message-ID (mailer.ts messageIdOf), so
 * the duplicate is recognisable, but it is not prevented: delivery is at least once.
 */
export const sendEmail =
  (app: App, mailer: Mailer): Task =>
  async (rawPayload) => {
    const payload = rawPayload as SendEmailPayload;
    const sent = await app.db.emailOutbox.findUnique({
      where: { id: payload.emailId },
      select: { id: true },
    });
    if (sent) return;
    const rendered = renderEmail(payload, { appUrl: app.config.appUrl });
    await mailer.send({ ...rendered, emailId: payload.emailId, to: payload.to });
    await app.db.emailOutbox.upsert({
      where: { id: payload.emailId },
      create: {
        id: payload.emailId,
        toAddress: payload.to,
        template: payload.template,
        subject: rendered.subject,
        body: rendered.text,
        sentAt: app.clock.now(),
      },
      update: {},
    });
  };

export const notificationTasks = (app: App) => ({
  send_email: sendEmail(app, createMailer(app.config.mail)),
});
