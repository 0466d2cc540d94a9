// In-app notifications and their e-mail twins, written inside the transaction of the job or use
// case that causes them. A notice has a dedupe key, so a retried job creates it (and queues its
// e-mail) once.
import { randomUUID } from "node:crypto";
import type { Tx } from "../../infra/unit-of-work.ts";
import { addJob } from "../../infra/jobs.ts";
import type { SendEmailPayload } from "./email.ts";

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
  /** Unique per notice: the same key never notifies twice. */
  dedupeKey: string;
}

/** Creates the notification and queues its e-mail; false when this key was already notified. */
export async function notify(tx: Tx, notice: Notice): Promise<boolean> {
  const inserted = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO notifications (user_id, type, title, body, data, dedupe_key)
    VALUES (${notice.userId}::uuid, ${notice.type}, ${notice.title}, ${notice.body},
            ${JSON.stringify(notice.data)}::jsonb, ${notice.dedupeKey})
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id::text`;
  if (inserted.length === 0) return false;
  const user = await tx.user.findUniqueOrThrow({
    where: { id: notice.userId },
    select: { email: true, firstName: true },
  });
  const email: SendEmailPayload = {
    emailId: randomUUID(),
    template: "notice",
    to: user.email,
    data: { firstName: user.firstName, title: notice.title, body: notice.body, link: notice.link },
  };
  await addJob(tx, "send_email", email, { maxAttempts: 10 });
  return true;
}
