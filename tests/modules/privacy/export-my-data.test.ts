// exportMyData end to end on a real worker: one export in flight and a few a day, the archive built
// from every kind of data, its link e-mailed (and stored nowhere in plain), downloaded exactly once
// over HTTP, refused to anyone signed in as someone else, refused once expired, purged by cron.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataExportDocument, ExportMyDataDocument } from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import { WITHHELD_LINK } from "../../../src/modules/notifications/email.ts";
import { PURGE_TASK } from "../../../src/modules/privacy/exports.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId } from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { findInDatabase } from "../../helpers/database-scan.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";
import { parseMail } from "../../helpers/mime.ts";
import { type PersonWithData, personWithData } from "../../helpers/privacy.ts";

const clock = new ManualClock();
let t: TestApp;
let outboxDir: string;
let runner: Runner | undefined;

beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), "roost-export-mail-"));
  t = await startTestApp({
    clock,
    configure: (config) => {
      config.mail.smtpUrl = undefined;
      config.mail.outboxDir = outboxDir;
      config.privacy.exportsPerDay = 2;
    },
  });
  // The links point at this server.
  t.app.config.apiUrl = t.url;
});
afterAll(async () => {
  await t?.close();
  await rm(outboxDir, { recursive: true, force: true });
});

const encodeExportId = (id: string) => encodeGlobalId("DataExport", id);
const worker = async (): Promise<Runner> => (runner ??= await t.startWorker());

/** Resolves once `condition` holds, checked now and after each job the worker finishes. */
function afterJobs(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  return worker().then(
    (running) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`not settled within ${timeoutMs} ms`)), timeoutMs);
        const check = () => condition().then((ok) => ok && finish(), finish);
        const finish = (error?: unknown) => {
          clearTimeout(timer);
          running.events.off("job:complete", check);
          if (error) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve();
        };
        running.events.on("job:complete", check);
        void check();
      }),
  );
}

const requestExport = (user: TestUser) => user.client.request(ExportMyDataDocument, {});

interface ReadyExport {
  exportId: string;
  link: string;
  token: string;
}

/** Asks for an export and waits for its e-mail; the link is read from the .eml as a mail client would. */
async function exportAndWait(user: TestUser): Promise<ReadyExport> {
  const requested = (await user.client.ok(ExportMyDataDocument, {})).exportMyData.export;
  expect(requested.status).toBe("PENDING");
  const exportId = rawId(requested.id);
  const sentCopy = () =>
    t.app.db.emailOutbox.findFirst({
      where: { notification: { userId: user.id, data: { path: ["exportId"], equals: exportId } } },
    });
  await afterJobs(async () => (await sentCopy()) !== null);
  const copy = await sentCopy();
  const mail = parseMail(await readFile(join(outboxDir, `${copy!.id}.eml`), "utf8"));
  const link = new RegExp(`${t.url}/exports/([A-Za-z0-9_-]{43})`).exec(mail.text ?? "");
  expect(link, mail.text).not.toBeNull();
  return { exportId, link: link![0], token: link![1]! };
}

const download = (link: string, headers: Record<string, string> = {}) => fetch(link, { headers });

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const body = (await response.json()) as { error: { code: string } };
  return { status: response.status, code: body.error.code };
}

describe("exportMyData", () => {
  it("needs a signed-in user", async () => {
    expect(codeOf(await t.client.request(ExportMyDataDocument, {}))).toBe("UNAUTHENTICATED");
  });

  it("keeps one export in flight per user, also when asked for at once", async () => {
    const user = await factories(t).user().create();
    // No worker yet: the first export stays PENDING.
    const answers = await Promise.all(Array.from({ length: 5 }, () => requestExport(user)));
    const started = answers.filter((answer) => answer.data?.exportMyData);
    expect(started).toHaveLength(1);
    const refused = answers.filter((answer) => codeOf(answer) === "RATE_LIMITED");
    expect(refused).toHaveLength(4);
    for (const answer of refused) expect(answer.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(await t.app.db.dataExport.count({ where: { userId: user.id } })).toBe(1);
    expect(codeOf(await requestExport(user))).toBe("RATE_LIMITED");
  });

  describe("for a user with data of every kind", () => {
    let person: PersonWithData;
    let ready: ReadyExport;
    let archive: Record<string, unknown>;

    beforeAll(async () => {
      person = await personWithData(t, { firstName: "Ottoline", lastName: "Exportwell" });
      ready = await exportAndWait(person.user);
    });

    it("stores the link's token only as a hash: in no table, e-mail copy or notification", async () => {
      expect(await findInDatabase(t.app.db, [ready.token])).toEqual([]);
      const notification = await t.app.db.notification.findFirstOrThrow({
        where: { userId: person.user.id, type: "privacy.export_ready" },
        include: { emails: true },
      });
      expect(notification.body).toMatch(/link in the e-mail/);
      expect(notification.emails).toHaveLength(1);
      expect(notification.emails[0]?.body).toContain(WITHHELD_LINK);
      expect(notification.emails[0]?.toAddress).toBe(person.user.email);
    });

    it("refuses a caller signed in as someone else, without using the link up", async () => {
      const stranger = await factories(t).user().create();
      const refused = await download(ready.link, { authorization: `Bearer ${stranger.accessToken}` });
      expect(await errorOf(refused)).toEqual({ status: 404, code: "NOT_FOUND" });
      // Nor is the stranger's own access token, or anything forged, a download token.
      for (const token of [
        stranger.accessToken,
        person.user.refreshToken,
        randomBytes(32).toString("base64url"),
      ]) {
        expect(await errorOf(await download(`${t.url}/exports/${token}`))).toEqual({
          status: 404,
          code: "NOT_FOUND",
        });
      }
      expect((await fetch(ready.link, { method: "POST" })).status).toBe(405);
      const row = await t.app.db.dataExport.findUniqueOrThrow({ where: { id: ready.exportId } });
      expect(row.status).toBe("READY");
    });

    it("downloads the archive once, over plain HTTP, as an attachment", async () => {
      const response = await download(ready.link);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("content-disposition")).toMatch(
        /^attachment; filename="roost-data-\d{4}-\d{2}-\d{2}\.json"$/,
      );
      expect(response.headers.get("cache-control")).toBe("no-store");
      const text = await response.text();
      archive = JSON.parse(text) as Record<string, unknown>;
      expect(archive).toMatchObject({
        format: "roost.data-export",
        version: 1,
        exportId: ready.exportId,
        userId: person.user.id,
      });

      expect(await errorOf(await download(ready.link))).toEqual({ status: 410, code: "INVALID_STATE" });
      const row = await t.app.db.dataExport.findUniqueOrThrow({ where: { id: ready.exportId } });
      expect(row).toMatchObject({ status: "DOWNLOADED", archive: null, sizeBytes: Buffer.byteLength(text) });
      const seen = await person.user.client.ok(DataExportDocument, { id: encodeExportId(ready.exportId) });
      expect(seen.node).toMatchObject({ status: "DOWNLOADED", sizeBytes: Buffer.byteLength(text) });
      expect(
        codeOf(await person.host.client.request(DataExportDocument, { id: encodeExportId(ready.exportId) })),
      ).toBe("NOT_FOUND");
    });

    it("holds every kind of data stored about the user, and nothing of others' they may not see", () => {
      const { theirs, kept } = person;
      const section = (name: string) => archive[name] as Array<Record<string, unknown>>;
      expect(archive.profile).toMatchObject({
        id: person.user.id,
        email: person.user.email,
        firstName: "Ottoline",
        lastName: "Exportwell",
        bio: theirs.bio,
        avatarUrl: theirs.avatarUrl,
      });
      expect(JSON.stringify(archive)).not.toMatch(/argon2|password/i);
      expect(section("sessions").length).toBeGreaterThan(0);

      const [listing] = section("listings");
      expect(listing).toMatchObject({ id: person.ownListing.id, title: person.ownListing.title });
      expect(listing?.photos).toHaveLength(2);
      expect(listing?.calendarBlocks).toEqual([
        expect.objectContaining({ start: expect.any(String), end: expect.any(String) }),
      ]);
      expect(listing?.nightPrices).toEqual([
        expect.objectContaining({ amount: 15_000 }),
        expect.objectContaining({ amount: 15_000 }),
      ]);

      const asGuest = section("bookingsAsGuest").find((b) => b.id === rawId(person.bookingAsGuestId));
      expect(asGuest).toMatchObject({
        status: "CANCELLED",
        message: theirs.bookingNote,
        cancelReason: theirs.cancelReason,
      });
      expect(asGuest?.payment).toMatchObject({ status: expect.any(String), captured: expect.any(Number) });
      expect((asGuest?.payment as { refunds: unknown[] }).refunds.length).toBeGreaterThan(0);
      const asHost = section("bookingsAsHost").find((b) => b.id === rawId(person.bookingAsHostId));
      expect(asHost).toMatchObject({ status: "CONFIRMED", guestFirstName: "Gideon" });
      expect(asHost?.payouts).toEqual([expect.objectContaining({ status: "SCHEDULED" })]);

      const comments = (name: string) => section(name).map((review) => review.comment);
      expect(comments("reviewsWritten").sort()).toEqual([kept.reviewOfGuest, kept.reviewOfListing].sort());
      expect(comments("reviewsReceived").sort()).toEqual([kept.guestReview, kept.receivedReview].sort());
      expect(JSON.stringify(archive)).not.toContain(kept.hiddenReview);
      expect(
        section("reviewsWritten")
          .concat(section("reviewsReceived"))
          .map((r) => r.response),
      ).toContain(theirs.response);

      const conversation = section("conversations").find((c) => c.id === rawId(person.conversationId));
      const bodies = (conversation?.messages as Array<{ body: string; fromYou: boolean }>).map((m) => [
        m.body,
        m.fromYou,
      ]);
      expect(bodies).toEqual(
        expect.arrayContaining([
          [theirs.inquiry, true],
          [kept.hostReply, false],
          [theirs.bookingNote, true],
        ]),
      );

      expect(section("wishlists")).toEqual([
        expect.objectContaining({
          name: theirs.wishlistName,
          listings: [expect.objectContaining({ listingId: person.hostListing.id })],
        }),
      ]);
      expect(section("notifications").map((n) => n.type)).toEqual(
        expect.arrayContaining(["booking.confirmed", "booking.cancelled", "review.published"]),
      );
      expect(section("reportsMade")).toEqual([
        expect.objectContaining({
          targetType: "LISTING",
          targetId: person.hostListing.id,
          reason: theirs.reportReason,
          status: "OPEN",
        }),
      ]);
      expect(section("activity").map((entry) => entry.action)).toContain("privacy.export_requested");
    });
  });

  it(`allows DATA_EXPORTS_PER_DAY a day, then RATE_LIMITED until the first is a day old`, async () => {
    const user = await factories(t).user().create();
    const first = await exportAndWait(user);
    // The owner's own bearer token is welcome on the link.
    expect((await download(first.link, { authorization: `Bearer ${user.accessToken}` })).status).toBe(200);
    await exportAndWait(user);
    const third = await requestExport(user);
    expect(codeOf(third)).toBe("RATE_LIMITED");
    expect(third.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(86_000);
  });

  it("refuses an expired link, and the cron job drops the archive", async () => {
    const user = await factories(t).user().create();
    const ready = await exportAndWait(user);
    const now = clock.now();
    clock.advance(t.app.config.privacy.exportTtlMs + 1_000);
    try {
      expect(await errorOf(await download(ready.link))).toEqual({ status: 410, code: "INVALID_STATE" });
      const purged = jobsCompleted(await worker(), 1, (job) => job.task_identifier === PURGE_TASK);
      await addJob(t.app.db, PURGE_TASK, {});
      await purged;
      const row = await t.app.db.dataExport.findUniqueOrThrow({ where: { id: ready.exportId } });
      expect(row).toMatchObject({ status: "EXPIRED", archive: null });
      expect(await errorOf(await download(ready.link))).toEqual({ status: 410, code: "INVALID_STATE" });
    } finally {
      clock.set(now);
    }
  });
});
