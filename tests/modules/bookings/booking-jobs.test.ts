// The bookings' and payments' jobs, run by the real worker against the real database: expiry,
// completion, payout, notices and the reconciliation of orphaned authorizations. Each runs
// twice and has one effect.
import { randomUUID } from "node:crypto";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcceptBookingDocument, HostPayoutsDocument } from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { addJob } from "../../../src/infra/jobs.ts";
import { unitOfWork } from "../../../src/infra/unit-of-work.ts";
import { noticeBooking } from "../../../src/modules/bookings/notices.ts";
import { authorizePayment } from "../../../src/modules/payments/authorization.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, expectBooksBalanced, rawId, stayFixture } from "../../helpers/bookings.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let runner: Runner;

beforeAll(async () => {
  t = await startTestApp({ clock });
  runner = await t.startWorker();
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
});

/** Runs the task now, twice over, through the worker; resolves once both runs completed. */
async function runTwice(task: string, payload: object): Promise<void> {
  const done = jobsCompleted(
    runner,
    2,
    (job) => job.task_identifier === task && JSON.stringify(job.payload) === JSON.stringify(payload),
  );
  await addJob(t.app.db, task, payload);
  await addJob(t.app.db, task, payload);
  await done;
}

describe("expiry", () => {
  it("expires a request unanswered for 24 hours, frees its nights and voids the hold, once", async () => {
    const stay = await stayFixture(t);
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-04-01", checkOut: "2027-04-03" }),
    );
    const id = rawId(booking.id);
    // Not yet due: the job leaves it alone.
    await runTwice("bookings_expire", { bookingId: id });
    expect((await t.app.db.booking.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING");

    clock.advance(24 * 3_600_000);
    try {
      await runTwice("bookings_expire", { bookingId: id });
    } finally {
      clock.advance(-24 * 3_600_000);
    }
    const row = await t.app.db.booking.findUniqueOrThrow({
      where: { id },
      include: { payment: true, hold: true },
    });
    expect(row).toMatchObject({ status: "EXPIRED", hold: null, payment: { status: "VOIDED" } });
    const notices = await t.app.db.notification.findMany({
      where: { type: "booking.expired", data: { path: ["bookingId"], equals: id } },
    });
    expect(notices.map((notice) => notice.userId).sort()).toEqual([stay.guest.id, stay.host.id].sort());
  });
});

describe("completion and payout", () => {
  it("completes the stay after the local check-out and pays the host 24 h after check-in, once each", async () => {
    const stay = await stayFixture(t, { instantBook: true, timeZone: "Pacific/Honolulu" });
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-04-10", checkOut: "2027-04-12" }),
    );
    const id = rawId(booking.id);
    const payout = await t.app.db.payout.findUniqueOrThrow({ where: { bookingId: id } });
    // 15:00 in Honolulu (UTC−10) on 2027-04-10, plus 24 hours.
    expect(payout.scheduledFor.toISOString()).toBe("2027-04-12T01:00:00.000Z");

    clock.set(new Date("2027-04-12T01:00:00Z"));
    try {
      await runTwice("payments_payout", { payoutId: payout.id });
      // Check-out is 11:00 in Honolulu on 2027-04-12, 21:00 UTC: not yet.
      await runTwice("bookings_complete", { bookingId: id });
      expect((await t.app.db.booking.findUniqueOrThrow({ where: { id } })).status).toBe("CONFIRMED");
      clock.set(new Date("2027-04-12T21:00:00Z"));
      await runTwice("bookings_complete", { bookingId: id });
    } finally {
      clock.set(new Date("2027-03-01T12:00:00Z"));
    }
    expect((await t.app.db.booking.findUniqueOrThrow({ where: { id } })).status).toBe("COMPLETED");
    const paid = await t.app.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(paid).toMatchObject({ status: "PAID", amount: payout.amount });
    const transfers = await t.app.db.builtinOperation.count({
      where: { kind: "payout", key: { contains: payout.id } },
    });
    expect(transfers).toBe(1);
    expect(await t.app.db.notification.count({ where: { type: "payout.sent", userId: stay.host.id } })).toBe(
      1,
    );

    const listed = await stay.host.client.ok(HostPayoutsDocument, {});
    expect(listed.hostPayouts.edges.map((edge) => edge.node)).toMatchObject([
      { status: "PAID", amount: { amount: Number(payout.amount) }, booking: { id: booking.id } },
    ]);
    expect((await stay.guest.client.ok(HostPayoutsDocument, {})).hostPayouts.totalCount).toBe(0);
  });
});

describe("notices", () => {
  it("tells both sides of a request and of its confirmation, in the same transaction, once each, in-app and by e-mail", async () => {
    const stay = await stayFixture(t);
    const addresses = [stay.guest.email, stay.host.email];
    // Four e-mails: the request and the confirmation, to each side; noticing again sends none.
    const emails = jobsCompleted(runner, 4, (job) => {
      const email = job.payload as { to: string; template: string };
      return (
        job.task_identifier === "send_email" && email.template === "notice" && addresses.includes(email.to)
      );
    });
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-05-01", checkOut: "2027-05-03" }),
    );
    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
    // Written with the change itself: there before any job has run.
    expect(
      await t.app.db.notification.count({
        where: { data: { path: ["bookingId"], equals: rawId(booking.id) } },
      }),
    ).toBe(4);
    const row = await t.app.db.booking.findUniqueOrThrow({ where: { id: rawId(booking.id) } });
    await unitOfWork(t.app, (tx, effects) => noticeBooking(tx, effects, t.app, row, "confirmed"));
    await emails;
    const sent = await t.app.db.emailOutbox.findMany({
      where: { toAddress: { in: addresses }, template: "notice" },
    });
    expect(sent.map((email) => email.subject).sort()).toEqual(
      ["Booking confirmed", "Booking request sent", "New booking request", "Reservation confirmed"].sort(),
    );
    expect(sent.find((email) => email.subject === "Booking confirmed")?.body).toContain(
      `${t.app.config.appUrl}/bookings/${rawId(booking.id)}`,
    );
    const notices = await t.app.db.notification.findMany({
      where: { data: { path: ["bookingId"], equals: rawId(booking.id) } },
      orderBy: { type: "asc" },
    });
    expect(
      notices.map((notice) => [notice.type, notice.userId === stay.host.id ? "host" : "guest"]).sort(),
    ).toEqual(
      [
        ["booking.confirmed", "guest"],
        ["booking.confirmed", "host"],
        ["booking.requested", "guest"],
        ["booking.requested", "host"],
      ].sort(),
    );
  });
});

describe("reconciliation", () => {
  it("voids an authorization whose booking never committed (a crash between provider and commit), once", async () => {
    const stay = await stayFixture(t);
    const bookingId = randomUUID();
    // What requestBooking does before its transaction; the process "dies" here.
    const held = await authorizePayment(t.app, {
      bookingId,
      guestId: stay.guest.id,
      listingId: stay.listing.id,
      paymentMethod: "pm_card_visa",
      amount: 12_345,
      currency: "EUR",
      description: "orphan",
    });
    expect((await t.app.db.builtinCharge.findUniqueOrThrow({ where: { id: held.ref } })).status).toBe(
      "AUTHORIZED",
    );

    await runTwice("payments_reconcile_attempt", { attemptId: held.attempt.id });
    expect((await t.app.db.builtinCharge.findUniqueOrThrow({ where: { id: held.ref } })).status).toBe(
      "VOIDED",
    );
    expect((await t.app.db.paymentAttempt.findUniqueOrThrow({ where: { id: held.attempt.id } })).status).toBe(
      "VOIDED",
    );
  });

  it("leaves an attempt whose booking committed alone", async () => {
    const stay = await stayFixture(t);
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-06-01", checkOut: "2027-06-03" }),
    );
    const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
    await runTwice("payments_reconcile_attempt", { attemptId: payment.id });
    expect(
      (await t.app.db.builtinCharge.findUniqueOrThrow({ where: { id: payment.providerRef ?? "" } })).status,
    ).toBe("AUTHORIZED");
  });
});
