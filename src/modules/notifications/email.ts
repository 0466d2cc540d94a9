// E-mail: templates, and queueing a message inside the caller's transaction.
import { randomUUID } from "node:crypto";
import type { Prisma } from "../../generated/prisma/client.ts";
import { addJob } from "../../infra/jobs.ts";

export const emailTemplates = {
  welcome: (data: { firstName: string }) => ({
    subject: `Welcome to Roost, ${data.firstName}`,
    body: `Hi ${data.firstName},\n\nYour Roost account is ready. Find a place to stay, or list your own.\n\nThe Roost team`,
  }),
  /** The e-mail twin of an in-app notification (notifications/service.ts). */
  notice: (data: { firstName: string; title: string; body: string; link: string }) => ({
    subject: data.title,
    body: `Hi ${data.firstName},\n\n${data.body}\n\n${data.link}\n\nThe Roost team`,
  }),
} satisfies Record<string, (data: never) => { subject: string; body: string }>;

export type EmailTemplate = keyof typeof emailTemplates;

export type SendEmailPayload = {
  [K in EmailTemplate]: {
    /** Chosen at queue time, so a job that runs twice delivers once. */
    emailId: string;
    template: K;
    to: string;
    data: Parameters<(typeof emailTemplates)[K]>[0];
  };
}[EmailTemplate];

export async function queueEmail(
  tx: Prisma.TransactionClient,
  message: { template: "welcome"; to: string; userId: string },
): Promise<void> {
  const user = await tx.user.findUniqueOrThrow({
    where: { id: message.userId },
    select: { firstName: true },
  });
  const payload: SendEmailPayload = {
    emailId: randomUUID(),
    template: message.template,
    to: message.to,
    data: { firstName: user.firstName },
  };
  await addJob(tx, "send_email", payload, { maxAttempts: 10 });
}
