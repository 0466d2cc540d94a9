// Where e-mail goes: an SMTP server when config.mail.smtpUrl is set, else one .eml file per e-mail
// in config.mail.outboxDir, which a developer opens in any mail client. Both build the same MIME
// message (nodemailer's composer), with a Message-ID derived from the e-mail's id.
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTransport } from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import type { Config } from "../../config.ts";
import type { RenderedEmail } from "./email-layout.ts";

export interface OutgoingEmail extends RenderedEmail {
  /** The queued e-mail's id: the .eml file's name and the Message-ID's local part. */
  emailId: string;
  to: string;
}

export interface Mailer {
  /** Resolves once the e-mail is handed over (SMTP accepted it, or its file is in place); throws otherwise. */
  send(email: OutgoingEmail): Promise<void>;
}

/** Bounds on each SMTP step, so a server that hangs fails the attempt (and the job retries). */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function createMailer(mail: Config["mail"]): Mailer {
  const message = (email: OutgoingEmail) => ({
    from: mail.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: messageIdOf(email.emailId, mail.from),
  });
  if (mail.smtpUrl) {
    // One connection per message (no pool): nothing stays open between jobs or at shutdown.
    const transport = createTransport({ url: mail.smtpUrl, ...SMTP_TIMEOUTS });
    return {
      async send(email) {
        await transport.sendMail(message(email));
      },
    };
  }
  return {
    async send(email) {
      const raw = await new MailComposer(message(email)).compile().build();
      await writeAtomically(join(mail.outboxDir, `${email.emailId}.eml`), raw);
    },
  };
}

/**
 * The same for every attempt at one e-mail, so a copy sent again after a crash between sending
 * and recording it carries the Message-ID of the first and can be recognised as a duplicate.
 */
export function messageIdOf(emailId: string, from: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? "roost.invalid";
  return `<${emailId}@${domain}>`;
}

/** Written beside its final name, then renamed: a reader never sees half a file. */
async function writeAtomically(path: string, content: Buffer): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await mkdir(join(path, ".."), { recursive: true });
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
