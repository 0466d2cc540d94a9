// The send_email job over SMTP, against a real SMTP server started in the test: what arrives
// (envelope, headers, text and HTML parts), a refused send retried with backoff, and a job run
// again after success that sends nothing.
import { randomUUID } from "node:crypto";
import type { Job, Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addJob } from "../../../src/infra/jobs.ts";
import type { SendEmailPayload } from "../../../src/modules/notifications/email.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";
import { parseMail } from "../../helpers/mime.ts";
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from "../../helpers/smtp.ts";
import { within } from "../../helpers/subscriber.ts";

let smtp: TestSmtpServer;
let t: TestApp;
let runner: Runner;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({
    configure: (config) => {
      config.mail.smtpUrl = smtp.url;
      config.mail.from = "Roost <hello@mail.roost.test>";
      config.appUrl = "https://app.roost.test";
    },
  });
  runner = await t.startWorker();
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const notice = (to: string, firstName: string): SendEmailPayload => ({
  emailId: randomUUID(),
  template: "notice",
  to,
  data: {
    firstName,
    title: "Booking confirmed",
    body: `Your stay at <b>Tom & Jerry's</b> is confirmed.`,
    link: "https://app.roost.test/bookings/42",
  },
});

const isEmail = (emailId: string) => (job: Job) =>
  job.task_identifier === "send_email" && (job.payload as Partial<SendEmailPayload>).emailId === emailId;

/** The outcome of the next attempt at the e-mail's job: its error, if it failed. */
function nextAttempt(emailId: string, timeoutMs = 10_000): Promise<{ error: unknown }> {
  let stop!: () => void;
  const outcome = new Promise<{ error: unknown }>((resolve) => {
    const onComplete = ({ job, error }: { job: Job; error: unknown }) => {
      if (isEmail(emailId)(job)) resolve({ error });
    };
    runner.events.on("job:complete", onComplete);
    stop = () => runner.events.off("job:complete", onComplete);
  });
  return within(outcome, timeoutMs, `no attempt at ${emailId} within ${timeoutMs} ms`).finally(stop);
}

const receivedBy = (to: string): ReceivedMail[] =>
  smtp.received.filter((mail) => mail.envelope.to.includes(to));

describe("send_email over SMTP", () => {
  it("delivers the rendered e-mail: envelope, From, To, Subject, Message-ID, text and HTML", async () => {
    const to = `smtp-${randomUUID()}@example.test`;
    const payload = notice(to, "Zoë <Admin>");
    const done = jobsCompleted(runner, 1, isEmail(payload.emailId));
    await addJob(t.app.db, "send_email", payload, { maxAttempts: 10 });
    await done;

    const [mail, ...more] = receivedBy(to);
    expect(more).toEqual([]);
    expect(mail?.envelope).toEqual({ from: "hello@mail.roost.test", to: [to] });
    const parsed = parseMail(mail!.raw);
    expect(parsed.headers.get("from")).toBe("Roost <hello@mail.roost.test>");
    expect(parsed.headers.get("to")).toBe(to);
    expect(parsed.headers.get("subject")).toBe("Booking confirmed");
    expect(parsed.headers.get("message-id")).toBe(`<${payload.emailId}@mail.roost.test>`);
    expect(parsed.headers.get("content-type")).toMatch(/^multipart\/alternative/);
    expect(parsed.text).toContain("Hi Zoë <Admin>,");
    expect(parsed.text).toContain("Your stay at <b>Tom & Jerry's</b> is confirmed.");
    expect(parsed.text).toContain("Open in Roost: https://app.roost.test/bookings/42");
    expect(parsed.text).toContain("All your notifications: https://app.roost.test/notifications");
    expect(parsed.html).toContain("Hi Zoë &lt;Admin&gt;,");
    expect(parsed.html).toContain("Your stay at &lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt; is confirmed.");
    expect(parsed.html).toContain('<a href="https://app.roost.test/bookings/42"');

    const row = await t.app.db.emailOutbox.findUniqueOrThrow({ where: { id: payload.emailId } });
    expect(row).toMatchObject({ toAddress: to, template: "notice", subject: "Booking confirmed" });
    expect(row.body).toBe(parsed.text?.replace(/\r\n/g, "\n"));
  });

  it("fails the job when the server refuses, succeeds on the retry, and a later run sends nothing", async () => {
    const to = `refused-${randomUUID()}@example.test`;
    const payload = notice(to, "Retry");
    smtp.refuseWith = { code: 451, message: "Try again later" };
    const refusalsBefore = smtp.refusals;
    try {
      const first = nextAttempt(payload.emailId);
      await addJob(t.app.db, "send_email", payload, { maxAttempts: 10 });
      expect(String((await first).error)).toMatch(/451/);
    } finally {
      smtp.refuseWith = undefined;
    }
    expect(smtp.refusals).toBe(refusalsBefore + 1);
    expect(receivedBy(to)).toEqual([]);
    expect(await t.app.db.emailOutbox.count({ where: { id: payload.emailId } })).toBe(0);

    // graphile-worker's backoff: the retry comes exp(1) ≈ 2.7 s later.
    expect((await nextAttempt(payload.emailId)).error).toBeNull();
    expect(receivedBy(to)).toHaveLength(1);
    expect(await t.app.db.emailOutbox.count({ where: { id: payload.emailId } })).toBe(1);

    // The same e-mail's job again (as after a crash once the row was written): nothing is sent.
    const again = jobsCompleted(runner, 1, isEmail(payload.emailId));
    await addJob(t.app.db, "send_email", payload, { maxAttempts: 10 });
    await again;
    expect(receivedBy(to)).toHaveLength(1);
    expect(smtp.refusals).toBe(refusalsBefore + 1);
  });
});
