// E-mail: templates (text and HTML, with the links the recipient needs), and queueing a message
// inside the caller's transaction.
import { randomUUID } from "node:crypto";
import type { Prisma } from "../../generated/prisma/client.ts";
import { addJob } from "../../infra/jobs.ts";
import { type RenderedEmail, renderLayout } from "./email-layout.ts";

export type { RenderedEmail } from "./email-layout.ts";

/** What templates may use besides their data: read from config when the e-mail is sent. */
export interface EmailContext {
  /** The web app's address, no trailing slash. */
  appUrl: string;
}

export const emailTemplates = {
  welcome: (data: { firstName: string }, ctx: EmailContext) =>
    renderLayout({
      subject: `Welcome to Roost, ${data.firstName}`,
      firstName: data.firstName,
      paragraphs: ["Your Roost account is ready. Find a place to stay, or list your own."],
      links: [
        { label: "Find a place to stay", href: `${ctx.appUrl}/` },
        { label: "List your place", href: `${ctx.appUrl}/host/listings/new` },
      ],
    }),
  /** The e-mail twin of an in-app notification (notifications/service.ts). */
  notice: (
    data: { firstName: string; title: string; body: string; link: string; linkLabel?: string },
    ctx: EmailContext,
  ) =>
    renderLayout({
      subject: data.title,
      firstName: data.firstName,
      paragraphs: [data.body],
      links: [
        { label: data.linkLabel ?? "Open in Roost", href: data.link },
        { label: "All your notifications", href: `${ctx.appUrl}/notifications` },
      ],
    }),
} satisfies Record<string, (data: never, ctx: EmailContext) => RenderedEmail>;

export type EmailTemplate = keyof typeof emailTemplates;

export type SendEmailPayload = {
  [K in EmailTemplate]: {
    /** Chosen at queue time, so a job that runs twice delivers once. */
    emailId: string;
    template: K;
    to: string;
    data: Parameters<(typeof emailTemplates)[K]>[0];
    /** The in-app notification it twins: its text and recipient are read again at send time. */
    notificationId?: string;
    /** Its links are credentials (a one-time download): the stored copy leaves them out. */
    redactLinks?: boolean;
  };
}[EmailTemplate];

/** What a stored copy shows instead of a link that is a credential. */
export const WITHHELD_LINK = "(link withheld from this copy)";

/** The payload with every link replaced by WITHHELD_LINK, for the stored copy. */
export function withoutLinks(payload: SendEmailPayload): SendEmailPayload {
  return payload.template === "notice"
    ? { ...payload, data: { ...payload.data, link: WITHHELD_LINK } }
    : payload;
}

/** The subject, text and HTML of a queued e-mail. Subjects are one line, whatever the data held. */
export function renderEmail(payload: SendEmailPayload, ctx: EmailContext): RenderedEmail {
  const rendered = renderTemplate(payload, ctx);
  return { ...rendered, subject: rendered.subject.replace(/\s*[\r\n]+\s*/g, " ").trim() };
}

function renderTemplate(payload: SendEmailPayload, ctx: EmailContext): RenderedEmail {
  switch (payload.template) {
    case "welcome":
      return emailTemplates.welcome(payload.data, ctx);
    case "notice":
      return emailTemplates.notice(payload.data, ctx);
    default:
      throw new Error(`Unknown e-mail template ${String((payload as { template: unknown }).template)}`);
  }
}

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
