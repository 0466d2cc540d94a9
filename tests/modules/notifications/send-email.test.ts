// The send_email task on a real worker: what it delivers, that it delivers once, and only for committed jobs.
import { randomUUID } from "node:crypto";
import type { Job, Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignUpDocument } from "../../../schema/generated/graphql.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import type { SendEmailPayload } from "../../../src/modules/notifications/email.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { jobsCompleted, queuedJobs } from "../../helpers/jobs.ts";

let t: TestApp;
let runner: Runner;
beforeAll(async () => {
  t = await startTestApp();
  runner = await t.startWorker();
});
afterAll(() => t.close());

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
});
