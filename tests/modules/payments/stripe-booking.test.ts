// A booking's whole money flow with the Stripe provider, its SDK talking to a local stub of
// Stripe's API: authorize at request, capture on acceptance, refund on cancellation, void on
// decline, and a declined card, each with the idempotency key derived from our own ids.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  AcceptBookingDocument,
  CancelBookingDocument,
  DeclineBookingDocument,
} from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  book,
  bookingInput,
  expectBooksBalanced,
  rawId,
  requestBooking,
  stayFixture,
} from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { cardError, StripeStub } from "../../helpers/stripe-stub.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let stripe: StripeStub;

beforeAll(async () => {
  stripe = await StripeStub.start();
  t = await startTestApp({
    clock,
    configure: (config) => {
      config.payments.stripe = {
        secretKey: "sk_test_roost",
        webhookSecret: "whsec_roost",
        apiUrl: stripe.url,
      };
    },
  });
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
  await stripe.close();
});

it("uses the Stripe provider when a secret key is set", () => {
  expect(t.app.payments.name).toBe("stripe");
});

it("authorizes at request, captures on acceptance and refunds a cancellation, once each", async () => {
  const stay = await stayFixture(t, { cancellationPolicy: "FLEXIBLE" });
  const booking = await book(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-05-01", checkOut: "2027-05-04" }),
  );
  const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
  expect(payment).toMatchObject({ provider: "stripe", status: "AUTHORIZED" });

  const [created] = stripe.requestsTo("POST", "/v1/payment_intents");
  expect(created?.idempotencyKey).toBe(`roost:payment:${payment.id}:authorize`);
  expect(created?.form.get("capture_method")).toBe("manual");
  expect(created?.form.get("amount")).toBe(String(booking.total.amount));
  expect(created?.form.get("metadata[bookingId]")).toBe(rawId(booking.id));

  await stay.host.client.ok(AcceptBookingDocument, { input: { bookingId: booking.id } });
  const captures = stripe.requestsTo("POST", `/v1/payment_intents/${payment.providerRef}/capture`);
  expect(captures.map((request) => request.idempotencyKey)).toEqual([`roost:payment:${payment.id}:capture`]);
  expect(stripe.intents.get(payment.providerRef ?? "")?.status).toBe("succeeded");

  const cancelled = await stay.guest.client.ok(CancelBookingDocument, {
    input: { bookingId: booking.id, idempotencyKey: randomUUID() },
  });
  expect(cancelled.cancelBooking.booking.payment).toMatchObject({
    status: "REFUNDED",
    refunded: booking.total,
  });
  const refunds = stripe.requestsTo("POST", "/v1/refunds");
  expect(refunds).toHaveLength(1);
  expect(refunds[0]?.form.get("payment_intent")).toBe(payment.providerRef);
  expect(refunds[0]?.form.get("amount")).toBe(String(booking.total.amount));
  const refund = await t.app.db.refund.findFirstOrThrow({ where: { paymentId: payment.id } });
  expect(refunds[0]?.idempotencyKey).toBe(`roost:refund:${refund.id}`);
  expect(refund.providerRef).toMatch(/^re_/);
});

it("cancels the PaymentIntent when the host declines", async () => {
  const stay = await stayFixture(t);
  const booking = await book(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-06-01", checkOut: "2027-06-03" }),
  );
  const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
  const declined = await stay.host.client.ok(DeclineBookingDocument, { input: { bookingId: booking.id } });
  expect(declined.declineBooking.booking.payment?.status).toBe("VOIDED");
  expect(stripe.intents.get(payment.providerRef ?? "")?.status).toBe("canceled");
});

it("answers PAYMENT_FAILED for a card Stripe declines, and holds no nights", async () => {
  const stay = await stayFixture(t);
  stripe.answer("POST", "/v1/payment_intents", cardError("insufficient_funds"));
  const result = await requestBooking(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-07-01", checkOut: "2027-07-03" }),
  );
  expect(codeOf(result)).toBe("PAYMENT_FAILED");
  expect(result.errors?.[0]?.extensions?.fields).toEqual([
    { path: "paymentMethod", message: "declined by the provider: insufficient_funds" },
  ]);
  expect(await t.app.db.calendarHold.count({ where: { listingId: stay.listing.id } })).toBe(0);
  const attempt = await t.app.db.paymentAttempt.findFirstOrThrow({ where: { listingId: stay.listing.id } });
  expect(attempt).toMatchObject({ status: "FAILED", failureCode: "insufficient_funds" });
});
