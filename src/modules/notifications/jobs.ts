// Background tasks of the notifications module.
import type { Task } from "graphile-worker";
import type { App } from "../../app.ts";
import { emailTemplates, type SendEmailPayload } from "./email.ts";

/**
 * Delivers an e-mail. The transport here is the local outbox table (read it in
 * development); a real provider would be called at the same spot. Idempotent by emailId.
 */
export const sendEmail =
  (app: App): Task =>
  async (rawPayload) => {
    const payload = rawPayload as SendEmailPayload;
    const { subject, body } = renderEmail(payload);
    await app.db.emailOutbox.upsert({
      where: { id: payload.emailId },
      create: {
        id: payload.emailId,
        toAddress: payload.to,
        template: payload.template,
        subject,
        body,
        sentAt: app.clock.now(),
      },
      update: {},
    });
  };

function renderEmail(payload: SendEmailPayload): { subject: string; body: string } {
  switch (payload.template) {
    case "welcome":
      return emailTemplates.welcome(payload.data);
    case "notice":
      return emailTemplates.notice(payload.data);
    default:
      throw new Error(`Unknown e-mail template ${String((payload as { template: unknown }).template)}`);
  }
}

export const notificationTasks = (app: App) => ({ send_email: sendEmail(app) });
