// Roost scaled out as it is deployed: two API processes that run no jobs (WORKER_IN_PROCESS=false)
// and two worker processes, real child processes started as `npm start` and `npm run worker`
// start them, on one PostgreSQL database and one Redis. Over real HTTP: a subscriber on B hears a
// mutation made on A; rate limits, session revocation and the response cache are one across
// instances; every job runs once across the workers; a worker killed by SIGKILL mid-job has its
// job finished by the other once its heartbeat times out, with the effect applied once.
//
// The in-process test app `t` shares the database, Redis key prefix and JWT secret: it makes the
// fixtures (users, listings) and reads the database; every check goes through the children.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import {
  ListingDocument,
  LogOutDocument,
  MeDocument,
  MessageAddedDocument,
  SendInquiryDocument,
  SendMessageDocument,
  UpdateListingDocument,
} from "../../schema/generated/graphql.ts";
import { addJob } from "../../src/infra/jobs.ts";
import type { SendEmailPayload } from "../../src/modules/notifications/email.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { rawId, stayFixture } from "../helpers/bookings.ts";
import { codeOf, GraphQLClient } from "../helpers/client.ts";
import { eventually } from "../helpers/eventually.ts";
import { factories, type TestUser } from "../helpers/factories.ts";
import {
  type LogLine,
  type RoostProcess,
  servingUrl,
  startRoostProcess,
  stopAllRoostProcesses,
} from "../helpers/processes.ts";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp.ts";
import { subscribeOverSse } from "../helpers/sse.ts";
import { untilSubscribed } from "../helpers/subscriber.ts";

const MESSAGES_PER_MINUTE = 4;
const HEARTBEAT_TIMEOUT_SECONDS = 2;

let t: TestApp;
let smtp: TestSmtpServer;
let apis: { a: string; b: string };
let workers: [RoostProcess, RoostProcess];

describe.skipIf(!inject("redisUrl"))("two API instances and two workers on one database and Redis", () => {
  beforeAll(async () => {
    const jwtSecret = randomBytes(32).toString("hex");
    const prefix = `roost-scale:${randomBytes(6).toString("hex")}:`;
    smtp = await startSmtpServer();
    t = await startTestApp({
      redisKeyPrefix: prefix,
      configure: (config) => void (config.jwtSecret = jwtSecret),
    });
    // What docker-compose.yml's `scale` profile gives every service, with test-sized limits.
    const env = {
      NODE_ENV: "production",
      DATABASE_URL: t.database.url,
      DATABASE_POOL_MAX: "4",
      REDIS_URL: inject("redisUrl") ?? "",
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: "info",
      // The SSE helper sends documents as text; everything else goes by persisted id.
      GRAPHQL_PERSISTED_ONLY: "false",
      WORKER_IN_PROCESS: "false",
      SMTP_URL: smtp.url,
      MESSAGE_LIMIT_PER_MINUTE: String(MESSAGES_PER_MINUTE),
      SIGNUP_LIMIT_PER_HOUR: "100000",
      LOGIN_LIMIT_PER_IP: "100000",
      WORKER_CONCURRENCY: "2",
      WORKER_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS),
    };
    const api = { ...env, HOST: "127.0.0.1", PORT: "0" };
    // Debug: graphile-worker's "Completed task" lines say which worker ran which job.
    const worker = { ...env, LOG_LEVEL: "debug" };
    const a = startRoostProcess("api-a", "src/main.ts", api);
    const b = startRoostProcess("api-b", "src/main.ts", api);
    workers = [
      startRoostProcess("worker-1", "src/worker.ts", worker),
      startRoostProcess("worker-2", "src/worker.ts", worker),
    ];
    const [aUrl, bUrl] = await Promise.all([servingUrl(a), servingUrl(b)]);
    apis = { a: aUrl, b: bUrl };
    await Promise.all(
      workers.map((w) => w.waitForLog((line) => line.msg === "worker running", "worker running")),
    );
  }, 180_000);

  afterAll(async () => {
    try {
      await stopAllRoostProcesses();
    } finally {
      await t?.close();
      await smtp?.close();
    }
  }, 60_000);

  const on = (url: string, user?: Pick<TestUser, "accessToken">) => {
    const client = new GraphQLClient(`${url}/graphql`);
    return user ? client.as(user.accessToken) : client;
  };

  it("runs jobs only in the worker processes: the APIs record no worker heartbeat", async () => {
    const rows = await t.app.db.$queryRaw<Array<{ pid: number }>>`SELECT pid FROM worker_heartbeats`;
    expect(rows.map((row) => row.pid).sort()).toEqual(workers.map((w) => w.pid).sort());
  });

  it("delivers to a subscriber on B the message a mutation on A sent", async () => {
    const stay = await stayFixture(t);
    const inquiry = await on(apis.a, stay.guest).ok(SendInquiryDocument, {
      input: { listingId: stay.listingId, body: "Is there parking?" },
    });
    const conversationId = inquiry.sendMessage.message.conversation.id;
    const hostOnB = subscribeOverSse(apis.b, MessageAddedDocument, { conversationId }, stay.host.accessToken);
    onTestFinished(() => hostOnB.dispose());
    await hostOnB.connected;
    await untilSubscribed(t.app, `messageAdded:${rawId(conversationId)}`);

    await on(apis.a, stay.guest).ok(SendMessageDocument, { input: { conversationId, body: "Sent on A" } });
    const event = await hostOnB.next(10_000);
    expect(event.errors).toBeUndefined();
    expect(event.data?.messageAdded.body).toBe("Sent on A");
  });

  it("counts a rate limit across instances: exhausted through A, refused by B", async () => {
    const stay = await stayFixture(t);
    const inquiry = await on(apis.a, stay.guest).ok(SendInquiryDocument, {
      input: { listingId: stay.listingId, body: "message 1" },
    });
    const conversationId = inquiry.sendMessage.message.conversation.id;
    for (let n = 2; n <= MESSAGES_PER_MINUTE; n += 1) {
      await on(apis.a, stay.guest).ok(SendMessageDocument, {
        input: { conversationId, body: `message ${n}` },
      });
    }
    const refused = await on(apis.b, stay.guest).request(SendMessageDocument, {
      input: { conversationId, body: "one too many" },
    });
    expect(codeOf(refused)).toBe("RATE_LIMITED");
    expect(refused.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    // The limit is the guest's, not B's: the host still writes through B.
    await on(apis.b, stay.host).ok(SendMessageDocument, { input: { conversationId, body: "host replies" } });
  });

  it("ends a session everywhere: logged out through A, its token is refused by B", async () => {
    const user = await factories(t).user().create();
    expect((await on(apis.b, user).ok(MeDocument)).me?.id).toBe(user.globalId);
    await on(apis.a, user).ok(LogOutDocument, {});
    expect(codeOf(await on(apis.b, user).request(MeDocument))).toBe("UNAUTHENTICATED");
  });

  it("shares the response cache: B serves the page A cached, and a write on A invalidates it for B", async () => {
    const stay = await stayFixture(t);
    const id = stay.listingId;
    const hitsOnB = async () => {
      const text = await (await fetch(`${apis.b}/metrics`)).text();
      return Number(/^roost_response_cache_requests_total\{result="hit"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await hitsOnB();
    const first = await on(apis.a).ok(ListingDocument, { id });
    const fromB = await on(apis.b).ok(ListingDocument, { id });
    expect(fromB.listing?.title).toBe(first.listing?.title);
    expect(await hitsOnB()).toBe(before + 1);

    await on(apis.a, stay.host).ok(UpdateListingDocument, {
      input: { listingId: id, title: "Renamed on A" },
    });
    expect((await on(apis.b).ok(ListingDocument, { id })).listing?.title).toBe("Renamed on A");
    expect(await hitsOnB()).toBe(before + 1);
  });

  const welcome = (to: string): SendEmailPayload => ({
    emailId: randomUUID(),
    template: "welcome",
    to,
    data: { firstName: "Scale" },
  });
  const messageIdsTo = (mails: TestSmtpServer["received"], to: string) =>
    mails
      .filter((mail) => mail.envelope.to.includes(to))
      .map((mail) => /^Message-ID: <([^@>]+)@/im.exec(mail.raw)?.[1]);
  /** The e-mail ids whose send_email job this worker completed, per its log. */
  const completedBy = (worker: RoostProcess, emailIds: ReadonlySet<string>): LogLine[] =>
    worker.logs.filter((line) => {
      const job = line.job as { task_identifier?: string; payload?: { emailId?: string } } | undefined;
      return (
        typeof line.msg === "string" &&
        line.msg.startsWith("Completed task ") &&
        job?.task_identifier === "send_email" &&
        emailIds.has(job.payload?.emailId ?? "")
      );
    });
  const queuedSendEmails = async (emailIds: readonly string[]) =>
    (
      await t.app.db.$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM graphile_worker._private_jobs
        WHERE payload->>'emailId' = ANY(${[...emailIds]}::text[])`
    )[0]?.n ?? -1;

  it("runs each of many jobs exactly once across the two workers", async () => {
    const to = `batch-${randomUUID()}@example.test`;
    const payloads = Array.from({ length: 40 }, () => welcome(to));
    const ids = payloads.map((payload) => payload.emailId);
    // One transaction: all 40 become visible together, and both workers race for them.
    await t.app.db.$transaction(async (tx) => {
      for (const payload of payloads) await addJob(tx, "send_email", payload);
    });
    await eventually(async () => (await queuedSendEmails(ids)) === 0, "the 40 jobs done", {
      timeoutMs: 60_000,
    });

    const sent = messageIdsTo(smtp.received, to);
    expect(sent.sort()).toEqual([...ids].sort());
    const outbox = await t.app.db.emailOutbox.count({ where: { id: { in: ids } } });
    expect(outbox).toBe(ids.length);
    const idSet = new Set(ids);
    const [byFirst, bySecond] = workers.map((w) => completedBy(w, idSet).length);
    expect((byFirst ?? 0) + (bySecond ?? 0)).toBe(ids.length);
    expect(byFirst, "worker-1 took part").toBeGreaterThan(0);
    expect(bySecond, "worker-2 took part").toBeGreaterThan(0);
  });

  it("has a job whose worker was killed mid-send finished by the other worker, sent once", async () => {
    const to = `held-${randomUUID()}@example.test`;
    const payload = welcome(to);
    const jobKey = `scale-held:${payload.emailId}`;
    // The first attempt's message is never answered: its worker is stuck inside send_email.
    smtp.stallWhen = (mail) => mail.envelope.to.includes(to) && smtp.stalled.length === 0;
    onTestFinished(() => void (smtp.stallWhen = undefined));
    await addJob(t.app.db, "send_email", payload, { jobKey });
    await eventually(() => smtp.stalled.length === 1, "the first attempt stuck in SMTP", {
      timeoutMs: 20_000,
    });

    const [job] = await t.app.db.$queryRaw<Array<{ id: string; lockedBy: string; lockedAt: Date }>>`
      SELECT id::text, locked_by AS "lockedBy", locked_at AS "lockedAt"
      FROM graphile_worker.jobs WHERE key = ${jobKey}`;
    const holder = await t.app.db.$queryRaw<Array<{ pid: number }>>`
      SELECT pid FROM worker_heartbeats WHERE worker_id = ${job?.lockedBy ?? ""}`;
    const victim = workers.find((w) => w.pid === holder[0]?.pid);
    const survivor = workers.find((w) => w !== victim);
    if (!job || !victim || !survivor)
      throw new Error(`no live worker holds the job (${JSON.stringify(job)})`);

    // A live worker keeps its job past the timeout: its heartbeat outlives the lock's age.
    await eventually(
      async () => {
        const [row] = await t.app.db.$queryRaw<Array<{ beyond: boolean }>>`
          SELECT last_seen_at > ${job.lockedAt}::timestamptz + make_interval(secs => ${HEARTBEAT_TIMEOUT_SECONDS + 1}::float8)
            AS beyond
          FROM worker_heartbeats WHERE worker_id = ${job.lockedBy}`;
        return row?.beyond;
      },
      "the holder's heartbeat beyond the timeout",
      { timeoutMs: 15_000 },
    );
    const [still] = await t.app.db.$queryRaw<Array<{ lockedBy: string | null }>>`
      SELECT locked_by AS "lockedBy" FROM graphile_worker.jobs WHERE key = ${jobKey}`;
    expect(still?.lockedBy).toBe(job.lockedBy);
    expect(messageIdsTo(smtp.received, to)).toEqual([]);
    expect(smtp.stalled).toHaveLength(1);

    const killedAt = Date.now();
    victim.kill("SIGKILL");
    expect((await victim.exited).signal).toBe("SIGKILL");
    await eventually(() => messageIdsTo(smtp.received, to).length > 0, "the retried send", {
      timeoutMs: 20_000,
    });
    // Within the timeout plus a sweep interval and a poll or two, not graphile-worker's 4 hours.
    expect(Date.now() - killedAt).toBeLessThan((HEARTBEAT_TIMEOUT_SECONDS * 2 + 5) * 1000);
    await eventually(async () => (await queuedSendEmails([payload.emailId])) === 0, "the job done");

    expect(messageIdsTo(smtp.received, to)).toEqual([payload.emailId]);
    expect(await t.app.db.emailOutbox.count({ where: { id: payload.emailId } })).toBe(1);
    const [finished] = completedBy(survivor, new Set([payload.emailId]));
    expect(finished?.msg).toMatch(new RegExp(`^Completed task ${job.id} \\(send_email, .*attempt 2 of `));
    const sweep = survivor.logs.find((line) => line.msg === "unlocked the jobs of workers presumed dead");
    expect(sweep?.deadWorkers).toContain(job.lockedBy);
    const gone = await t.app.db.$queryRaw`SELECT 1 FROM worker_heartbeats WHERE worker_id = ${job.lockedBy}`;
    expect(gone).toEqual([]);
  });
});
