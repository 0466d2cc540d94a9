import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignUpDocument } from "../../../schema/generated/graphql.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import { sendEmail } from "../../../src/modules/notifications/jobs.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";

let t: TestApp;
let runner: Runner;
beforeAll(async () => {
  t = await startTestApp();
  runner = await t.startWorker();
});
afterAll(() => t.close());

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("send_email job", () => {
  it("delivers the welcome e-mail to the outbox after sign-up, end to end", async () => {
    const email = `welcome-${Date.now()}@example.test`;
    await t.client.ok(SignUpDocument, {
      input: { email, password: "long enough", firstName: "Wen", lastName: "Li" },
    });
    const message = await waitFor(() => t.app.db.emailOutbox.findFirst({ where: { toAddress: email } }));
    expect(message).toMatchObject({ template: "welcome", subject: "Welcome to Roost, Wen" });
    expect(message.sentAt).toBeInstanceOf(Date);
  });

  it("is safe to run twice: one message per e-mail id", async () => {
    const payload = {
      emailId: "5a0e8f8e-5f0e-4e4f-9d7a-0b3c1d2e3f40",
      template: "welcome",
      to: "twice@example.test",
      data: { firstName: "Twice" },
    };
    const task = sendEmail(t.app);
    const helpers = {} as Parameters<typeof task>[1];
    await task(payload, helpers);
    await task(payload, helpers);
    expect(await t.app.db.emailOutbox.count({ where: { toAddress: "twice@example.test" } })).toBe(1);
  });

  it("never runs a job whose transaction rolled back", async () => {
    const to = "rolled-back@example.test";
    await t.app.db
      .$transaction(async (tx) => {
        await addJob(tx, "send_email", {
          emailId: "6b1f9f9f-6f1f-4f5f-8e8b-1c4d2e3f4a51",
          template: "welcome",
          to,
          data: { firstName: "Nope" },
        });
        throw new Error("roll back");
      })
      .catch(() => undefined);
    // A job committed after it is delivered, so the worker has had its chance at both.
    const after = "committed-after@example.test";
    await addJob(t.app.db, "send_email", {
      emailId: "7c2a0a0a-7a2a-4a6a-9f9c-2d5e3f4a5b62",
      template: "welcome",
      to: after,
      data: { firstName: "Yes" },
    });
    await waitFor(() => t.app.db.emailOutbox.findFirst({ where: { toAddress: after } }));
    expect(await t.app.db.emailOutbox.count({ where: { toAddress: to } })).toBe(0);
    expect(runner).toBeDefined();
  });
});
