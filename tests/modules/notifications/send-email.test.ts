// The send_email task on a real worker in .eml outbox mode (no SMTP_URL): what it delivers, that
// it delivers once, and only for committed jobs.
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job, Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignUpDocument } from "../../../schema/generated/graphql.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import type { SendEmailPayload } from "../../../src/modules/notifications/email.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { factories } from "../../helpers/factories.ts";
import { jobsCompleted, queuedJobs } from "../../helpers/jobs.ts";
import { parseMail } from "../../helpers/mime.ts";

let t: TestApp;
let runner: Runner;
let outboxDir: string;
beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), "roost-outbox-"));
  t = await startTestApp({
    configure: (config) => {
      config.mail.smtpUrl = undefined;
      config.mail.outboxDir = outboxDir;
    },
  });
  runner = await t.startWorker();
});
afterAll(async () => {
  await t.close();
  await rm(outboxDir, { recursive: true, force: true });
});

/** The outbox folder's files for one e-mail: its .eml, and any temporary file left behind. */
const filesOf = async (emailId: string) =>
  (await readdir(outboxDir)).filter((name) => name.startsWith(emailId));

const isEmailTo = (to: string) => (job: Job) =>
  job.task_identifier === "send_email" && (job.payload as Partial<SendEmailPayload>).to === to;

const welcome = (to: string, firstName: string): SendEmailPayload => ({
  emailId: randomUUID(),
  template: "welcome",
  to,
  data: { firstName },
});

describe("send_email job", () => {
  it("delivers the welcome e-mail after sign-up, addressed and written to the new user", async () => {
    const email = `welcome-${randomUUID()}@example.test`;
    const delivered = jobsCompleted(runner, 1, isEmailTo(email));
    await t.client.ok(SignUpDocument, {
      input: { email, password: "long enough", firstName: "Wenceslas", lastName: "Li" },
    });
    await delivered;

    const messages = await t.app.db.emailOutbox.findMany({ where: { toAddress: email } });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      toAddress: email,
      template: "welcome",
      subject: "Welcome to Roost, Wenceslas",
    });
    expect(messages[0]?.body).toMatch(/^Hi Wenceslas,\n/);
    expect(messages[0]?.sentAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);

    // The same e-mail as a file a mail client opens: emailId.eml, written whole.
    const emailId = messages[0]!.id;
    expect(await filesOf(emailId)).toEqual([`${emailId}.eml`]);
    const parsed = parseMail(await readFile(join(outboxDir, `${emailId}.eml`), "utf8"));
    expect(parsed.headers.get("from")).toBe(t.app.config.mail.from);
    expect(parsed.headers.get("to")).toBe(email);
    expect(parsed.headers.get("subject")).toBe("Welcome to Roost, Wenceslas");
    expect(parsed.headers.get("message-id")).toBe(`<${emailId}@roost.example>`);
    expect(parsed.text?.replace(/\r\n/g, "\n")).toBe(messages[0]?.body);
    expect(parsed.html).toContain("Hi Wenceslas,");
    expect(parsed.html).toContain(`<a href="${t.app.config.appUrl}/"`);
  });

  it("delivers once when the job runs twice (idempotent by emailId)", async () => {
    const to = `twice-${randomUUID()}@example.test`;
    const payload = welcome(to, "Twice");
    // The second run is the same job again, as after a worker crashed before recording success.
    const first = jobsCompleted(runner, 1, isEmailTo(to));
    await addJob(t.app.db, "send_email", payload);
    await first;
    const delivered = await t.app.db.emailOutbox.findUniqueOrThrow({ where: { id: payload.emailId } });

    const second = jobsCompleted(runner, 1, isEmailTo(to));
    await addJob(t.app.db, "send_email", payload);
    await second;

    expect(await t.app.db.emailOutbox.findMany({ where: { toAddress: to } })).toEqual([delivered]);
    expect(await filesOf(payload.emailId)).toEqual([`${payload.emailId}.eml`]);
    expect(delivered).toMatchObject({ id: payload.emailId, subject: "Welcome to Roost, Twice" });
  });

  it("never runs a job whose transaction rolled back", async () => {
    const to = `rolled-back-${randomUUID()}@example.test`;
    const rollback = new Error("roll back");
    // A job key only to find the job in graphile-worker's public view, which has no payloads.
    const jobKey = `email:${to}`;
    const outcome = t.app.db.$transaction(async (tx) => {
      await addJob(tx, "send_email", welcome(to, "Nope"), { jobKey });
      throw rollback;
    });
    await expect(outcome).rejects.toBe(rollback);
    expect((await queuedJobs(t.app.db, "send_email")).filter((job) => job.key === jobKey)).toEqual([]);

    // A job committed after it runs, so the worker was live and had its chance at both.
    const after = `committed-after-${randomUUID()}@example.test`;
    const done = jobsCompleted(runner, 1, isEmailTo(after));
    await addJob(t.app.db, "send_email", welcome(after, "Yes"));
    await done;
    expect(await t.app.db.emailOutbox.count({ where: { toAddress: after } })).toBe(1);
    expect(await t.app.db.emailOutbox.count({ where: { toAddress: to } })).toBe(0);
  });
  it("writes a notice from its notification as it is now, and not at all once it is gone", async () => {
    const user = await factories(t).user().create();
    const notification = await t.app.db.notification.create({
      data: { userId: user.id, type: "test.notice", title: "As queued", body: "Queued text.", data: {} },
    });
    const notice = (notificationId: string): SendEmailPayload => ({
      emailId: randomUUID(),
      template: "notice",
      to: "stale-address@example.test",
      notificationId,
      data: { firstName: "Stale", title: "As queued", body: "Queued text.", link: "https://roost.example/x" },
    });
    // Rewritten after it was queued (as an account deletion erases a name): the e-mail says it as now.
    await t.app.db.notification.update({ where: { id: notification.id }, data: { body: "Erased text." } });
    const changed = notice(notification.id);
    const gone = notice(randomUUID());
    const done = jobsCompleted(runner, 2, (job) =>
      [changed.emailId, gone.emailId].includes((job.payload as SendEmailPayload).emailId),
    );
    await addJob(t.app.db, "send_email", changed);
    await addJob(t.app.db, "send_email", gone);
    await done;
    const sent = await t.app.db.emailOutbox.findUniqueOrThrow({ where: { id: changed.emailId } });
    expect(sent).toMatchObject({ toAddress: user.email, notificationId: notification.id });
    expect(sent.body).toMatch(/^Hi Test,\n\nErased text\./);
    expect(await t.app.db.emailOutbox.count({ where: { id: gone.emailId } })).toBe(0);
    expect(await filesOf(gone.emailId)).toEqual([]);
  });
});
