// After the request: the host accepts or declines, either side cancels; who may do what, what
// the money does (capture, release, refund by policy), and what happens when the provider fails.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AcceptBookingDocument,
  BookingDocument,
  CancelBookingDocument,
  DeclineBookingDocument,
  HostReservationsDocument,
  MyTripsDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { settlePayment } from "../../../src/modules/payments/service.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  book,
  bookingInput,
  builtinProvider,
  expectBooksBalanced,
  rawId,
  type Stay,
  stayFixture,
  staySequence,
} from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { jobsCompleted } from "../../helpers/jobs.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let stranger: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp({ clock });
  [stranger, admin] = await Promise.all([factories(t).user().create(), factories(t).user().admin().create()]);
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
});

/** Distinct dates per booking, so tests in this file never compete for nights. */
const nextDates = staySequence("2027-06-01", 3);

const cancelInput = (bookingId: string) => ({
  bookingId,
  idempotencyKey: randomUUID(),
  reason: "Plans changed",
});

describe("who may answer", () => {
  let stay: Stay;
  beforeAll(async () => {
    stay = await stayFixture(t);
  });

  it("a booking is visible to its guest, its host and admins only", async () => {
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    for (const user of [stay.guest, stay.host, admin]) {
      expect((await user.client.ok(BookingDocument, { id: booking.id })).booking?.id).toBe(booking.id);
    }
    expect(codeOf(await stranger.client.request(BookingDocument, { id: booking.id }))).toBe("NOT_FOUND");
    expect(codeOf(await t.client.request(BookingDocument, { id: booking.id }))).toBe("UNAUTHENTICATED");
    // Another user's booking id in a mutation is NOT_FOUND too, not FORBIDDEN: existence does not leak.
    expect(
      codeOf(await stranger.client.request(AcceptBookingDocument, { input: { bookingId: booking.id } })),
    ).toBe("NOT_FOUND");
    expect(
      codeOf(await stranger.client.request(CancelBookingDocument, { input: cancelInput(booking.id) })),
    ).toBe("NOT_FOUND");
  });

  it("only the host accepts or declines; the guest gets FORBIDDEN", async () => {
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    expect(
      codeOf(await stay.guest.client.request(AcceptBookingDocument, { input: { bookingId: booking.id } })),
    ).toBe("FORBIDDEN");
    expect(
      codeOf(await stay.guest.client.request(DeclineBookingDocument, { input: { bookingId: booking.id } })),
    ).toBe("FORBIDDEN");
    expect(
      codeOf(await admin.client.request(AcceptBookingDocument, { input: { bookingId: booking.id } })),
    ).toBe("FORBIDDEN");
  });

  it("answers INVALID_STATE for a transition its state does not allow", async () => {
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    await stay.host.client.ok(DeclineBookingDocument, { input: { bookingId: booking.id } });
    const input = { bookingId: booking.id };
    expect(codeOf(await stay.host.client.request(AcceptBookingDocument, { input }))).toBe("INVALID_STATE");
    expect(codeOf(await stay.host.client.request(DeclineBookingDocument, { input }))).toBe("INVALID_STATE");
    expect(
      codeOf(await stay.guest.client.request(CancelBookingDocument, { input: cancelInput(booking.id) })),
    ).toBe("INVALID_STATE");
  });

  it("lists trips for the guest and reservations for the host, filtered by status", async () => {
    const fresh = await stayFixture(t);
    const pending = await book(fresh.guest, bookingInput(fresh, nextDates()));
    const declined = await book(fresh.guest, bookingInput(fresh, nextDates()));
    await fresh.host.client.ok(DeclineBookingDocument, { input: { bookingId: declined.id } });

    const trips = await fresh.guest.client.ok(MyTripsDocument, {});
    expect(trips.myTrips.edges.map((edge) => edge.node.id)).toEqual([pending.id, declined.id]);
    expect(trips.myTrips.totalCount).toBe(2);
    const reservations = await fresh.host.client.ok(HostReservationsDocument, { status: ["PENDING"] });
    expect(reservations.hostReservations.edges.map((edge) => edge.node.id)).toEqual([pending.id]);
    // The host's trips and the guest's reservations are their own, empty.
    expect((await fresh.host.client.ok(MyTripsDocument, {})).myTrips.totalCount).toBe(0);
    expect((await fresh.guest.client.ok(HostReservationsDocument, {})).hostReservations.totalCount).toBe(0);
    // Another host's listing id names none of the caller's reservations.
    const other = await stranger.client.ok(HostReservationsDocument, { listingId: fresh.listingId });
    expect(other.hostReservations.totalCount).toBe(0);
    // A listing the caller cannot even see is NOT_FOUND.
    const draft = await factories(t).listing({ id: fresh.host.id }).create();
    const hidden = await stranger.client.request(HostReservationsDocument, {
      listingId: encodeGlobalId("Listing", draft.id),
    });
    expect(codeOf(hidden)).toBe("NOT_FOUND");
  });
});

describe("money on each answer", () => {
  let stay: Stay;
  beforeAll(async () => {
    stay = await stayFixture(t, { cancellationPolicy: "FLEXIBLE" });
  });

  it("accept captures; decline releases the hold", async () => {
    const accepted = await book(stay.guest, bookingInput(stay, nextDates()));
    const confirmed = (
      await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: accepted.id } })
    ).acceptBooking.booking;
    expect(confirmed).toMatchObject({
      status: "CONFIRMED",
      payment: { status: "CAPTURED", captured: accepted.total },
    });

    const declined = await book(stay.guest, bookingInput(stay, nextDates()));
    const answer = (await stay.host.client.ok(DeclineBookingDocument, { input: { bookingId: declined.id } }))
      .declineBooking.booking;
    expect(answer).toMatchObject({ status: "DECLINED", payment: { status: "VOIDED" } });
    const charge = await t.app.db.builtinCharge.findFirstOrThrow({
      where: { metadata: { path: ["bookingId"], equals: rawId(declined.id) } },
    });
    expect(charge.status).toBe("VOIDED");
  });

  it("a capture that fails leaves the booking PENDING with a clear error, and can be accepted again", async () => {
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    builtinProvider(t).faults.failNext("capture");
    const failed = await stay.host.client.request(AcceptBookingDocument, {
      input: { bookingId: booking.id },
    });
    expect(codeOf(failed)).toBe("SERVICE_UNAVAILABLE");
    const after = (await stay.host.client.ok(BookingDocument, { id: booking.id })).booking;
    expect(after).toMatchObject({ status: "PENDING", payment: { status: "AUTHORIZED" } });
    const accepted = await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
    expect(accepted.acceptBooking.booking.status).toBe("CONFIRMED");
  });

  it("a capture the provider refuses is PAYMENT_FAILED and the booking stays PENDING", async () => {
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
    // The hold lapsed on the provider's side (e.g. it expired there).
    await builtinProvider(t).void({ idempotencyKey: `test:${payment.id}`, ref: payment.providerRef ?? "" });
    const failed = await stay.host.client.request(AcceptBookingDocument, {
      input: { bookingId: booking.id },
    });
    expect(codeOf(failed)).toBe("PAYMENT_FAILED");
    expect((await stay.host.client.ok(BookingDocument, { id: booking.id })).booking?.status).toBe("PENDING");
  });

  it("a guest cancellation refunds by the policy agreed at booking; a host cancellation refunds everything", async () => {
    // FLEXIBLE, more than 24 h before check-in: everything but the service fee... all nights and cleaning;
    // the service fee comes back too, with every night refunded.
    const early = await book(stay.guest, bookingInput(stay, nextDates()));
    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: early.id } });
    const cancelled = (await stay.guest.client.ok(CancelBookingDocument, { input: cancelInput(early.id) }))
      .cancelBooking.booking;
    expect(cancelled).toMatchObject({
      status: "CANCELLED",
      cancelledBy: "GUEST",
      payment: { status: "REFUNDED", refunded: early.total },
    });
    const payout = await t.app.db.payout.findUniqueOrThrow({ where: { bookingId: rawId(early.id) } });
    expect(payout).toMatchObject({ status: "CANCELLED", amount: 0n });

    const byHost = await book(stay.guest, bookingInput(stay, nextDates()));
    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: byHost.id } });
    const hostCancelled = (
      await stay.host.client.ok(CancelBookingDocument, { input: cancelInput(byHost.id) })
    ).cancelBooking.booking;
    expect(hostCancelled).toMatchObject({
      cancelledBy: "HOST",
      payment: { status: "REFUNDED", refunded: byHost.total },
    });
  });

  it("a late FLEXIBLE cancellation keeps the first night and the service fee for the host and Roost", async () => {
    // At UTC+14 it is already 2027-03-02 02:00: check-in at 15:00 local is 13 hours away.
    const lateStay = await stayFixture(t, {
      cancellationPolicy: "FLEXIBLE",
      nightlyPrice: 10_000,
      cleaningFee: 2_500,
      timeZone: "Pacific/Kiritimati",
    });
    const dates = { checkIn: "2027-03-02", checkOut: "2027-03-05" };
    const booking = await book(lateStay.guest, bookingInput(lateStay, dates));
    await lateStay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
    const cancelled = (
      await lateStay.guest.client.ok(CancelBookingDocument, { input: cancelInput(booking.id) })
    ).cancelBooking.booking;
    // Two of three nights (200.00) and the cleaning fee (25.00) come back; service fee and night one do not.
    expect(cancelled.payment).toMatchObject({ status: "PARTIALLY_REFUNDED", refunded: { amount: 22_500 } });
    const payout = await t.app.db.payout.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
    expect(payout).toMatchObject({ status: "SCHEDULED", amount: 9_700n, fee: 300n });
  });

  it("a refund that fails is retried by the worker and paid once", async () => {
    const booking = await book(stay.guest, bookingInput(stay, nextDates()));
    await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
    builtinProvider(t).faults.failNext("refund");
    const runner = await t.startWorker();
    const settled = jobsCompleted(
      runner,
      1,
      (job) =>
        job.task_identifier === "payments_settle" &&
        (job.payload as { bookingId: string }).bookingId === rawId(booking.id),
      20_000,
    );
    const cancelled = (await stay.guest.client.ok(CancelBookingDocument, { input: cancelInput(booking.id) }))
      .cancelBooking.booking;
    // The inline attempt failed: the refund is decided, not yet paid.
    expect(cancelled.payment).toMatchObject({ status: "CAPTURED", refunded: { amount: 0 } });
    await settled;
    const after = (await stay.guest.client.ok(BookingDocument, { id: booking.id })).booking;
    expect(after?.payment).toMatchObject({ status: "REFUNDED", refunded: booking.total });
    // Settling again pays nothing more.
    await settlePayment(t.app, rawId(booking.id));
    const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
    const charge = await t.app.db.builtinCharge.findUniqueOrThrow({
      where: { id: payment.providerRef ?? "" },
    });
    expect(charge.refunded).toBe(payment.captured);
    expect(await t.app.db.refund.count({ where: { paymentId: payment.id } })).toBe(1);
  });
});
