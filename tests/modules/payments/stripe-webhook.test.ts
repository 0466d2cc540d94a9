// POST /webhooks/stripe over real HTTP: signatures checked with the SDK's own test header, each
// event recorded once, a replay changing nothing, and the answers Stripe's retries depend on.
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { insertBookingRow } from "../../helpers/booking-rows.ts";
import { factories } from "../../helpers/factories.ts";

const SECRET = "whsec_test";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    configure: (config) => {
      config.payments.stripe = { secretKey: "sk_test_x", webhookSecret: SECRET, apiUrl: undefined };
    },
  });
});
afterAll(() => t.close());

const unique = () => randomBytes(6).toString("hex");

function stripeEvent(type: string, object: Record<string, unknown>) {
  return {
    id: `evt_${unique()}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

async function post(payload: string, signature: string | undefined, url = t.url) {
  const response = await fetch(`${url}/webhooks/stripe`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature !== undefined && { "stripe-signature": signature }),
    },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sends `event` signed as Stripe would sign it. */
function deliver(event: object, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event, null, 2); // Stripe's bodies are pretty-printed: the raw bytes count
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return post(payload, signature);
}

const eventRow = (id: string) => t.app.db.paymentProviderEvent.findUnique({ where: { id } });

/** A captured Stripe payment for a confirmed booking, as the payments module will leave it. */
async function capturedPayment(status: "CAPTURED" | "AUTHORIZED" = "CAPTURED") {
  const make = factories(t);
  const host = await make.user().host().create();
  const guest = await make.user().create();
  const listing = await make.listing(host).listed().create();
  const booking = await insertBookingRow(t, {
    listing,
    guest,
    checkIn: "2031-03-10",
    checkOut: "2031-03-13",
    status: status === "CAPTURED" ? "CONFIRMED" : "PENDING",
  });
  return t.app.db.payment.create({
    data: {
      bookingId: booking.id,
      provider: "stripe",
      providerRef: `pi_${unique()}`,
      method: "card",
      status,
      currency: "EUR",
      amount: 30_000n,
      captured: status === "CAPTURED" ? 30_000n : 0n,
    },
  });
}

const charge = (paymentIntent: string, refunds: Array<{ id: string; amount: number }>) => ({
  id: `ch_${unique()}`,
  object: "charge",
  amount: 30_000,
  amount_refunded: refunds.reduce((sum, refund) => sum + refund.amount, 0),
  currency: "eur",
  payment_intent: paymentIntent,
  refunded: false,
  refunds: {
    object: "list",
    data: refunds.map((refund) => ({ ...refund, object: "refund", currency: "eur", status: "succeeded" })),
    has_more: false,
  },
});

describe("POST /webhooks/stripe", () => {
  it("records and applies a correctly signed event", async () => {
    const payment = await capturedPayment("AUTHORIZED");
    const event = stripeEvent("payment_intent.canceled", {
      id: payment.providerRef,
      object: "payment_intent",
      status: "canceled",
      amount: 30_000,
      currency: "eur",
    });

    const { status, body } = await deliver(event);

    expect(status).toBe(200);
    expect(body).toEqual({ received: true });
    expect(await eventRow(event.id)).toMatchObject({ provider: "stripe", type: "payment_intent.canceled" });
    expect(await t.app.db.payment.findUnique({ where: { id: payment.id } })).toMatchObject({
      status: "VOIDED",
    });
  });

  it("refuses a forged signature with 400 and records nothing", async () => {
    const event = stripeEvent("payment_intent.succeeded", { id: `pi_${unique()}`, object: "payment_intent" });
    const { status, body } = await deliver(event, { secret: "whsec_someone_else" });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: "BAD_USER_INPUT" } });
    expect(await eventRow(event.id)).toBeNull();
  });

  it("refuses a body changed after signing", async () => {
    const event = stripeEvent(
      "charge.refunded",
      charge(`pi_${unique()}`, [{ id: `re_${unique()}`, amount: 100 }]),
    );
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const { status } = await post(payload.replace('"amount":100', '"amount":30000'), signature);
    expect(status).toBe(400);
    expect(await eventRow(event.id)).toBeNull();
  });

  it("refuses a missing signature and a stale one (older than the 5-minute tolerance)", async () => {
    const event = stripeEvent("payment_intent.succeeded", { id: `pi_${unique()}`, object: "payment_intent" });
    expect((await post(JSON.stringify(event), undefined)).status).toBe(400);
    const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(400);
    expect(await eventRow(event.id)).toBeNull();
  });

  it("a replayed event answers 200 duplicate and has no second effect", async () => {
    const payment = await capturedPayment();
    const refundRef = `re_${unique()}`;
    const event = stripeEvent(
      "charge.refunded",
      charge(payment.providerRef!, [{ id: refundRef, amount: 12_000 }]),
    );

    const first = await deliver(event);
    const replay = await deliver(event);

    expect(first).toEqual({ status: 200, body: { received: true } });
    expect(replay).toEqual({ status: 200, body: { received: true, duplicate: true } });
    const refunds = await t.app.db.refund.findMany({ where: { paymentId: payment.id } });
    expect(refunds).toMatchObject([{ providerRef: refundRef, amount: 12_000n, status: "SUCCEEDED" }]);
    expect(await t.app.db.payment.findUnique({ where: { id: payment.id } })).toMatchObject({
      refunded: 12_000n,
      status: "PARTIALLY_REFUNDED",
    });
    // One balanced journal: the guest's funds go down by the refund, the host's share with it.
    const entries = await t.app.db.ledgerEntry.findMany({ where: { paymentId: payment.id } });
    expect(new Set(entries.map((entry) => entry.journalId)).size).toBe(1);
    expect(entries.reduce((sum, entry) => sum + entry.amount, 0n)).toBe(0n);
    expect(entries.find((entry) => entry.account === "GUEST_FUNDS")?.amount).toBe(-12_000n);
    expect(entries.find((entry) => entry.account === "HOST_PAYABLE")?.amount).toBe(12_000n);
  });

  it("a refund of ours the provider reports before we recorded it is the same refund, not a second", async () => {
    const payment = await capturedPayment();
    // Decided by a cancellation; the provider paid it, but our settling did not record it yet.
    const ours = await t.app.db.refund.create({
      data: {
        paymentId: payment.id,
        amount: 30_000n,
        reason: "cancelled by host",
        breakdown: { nights: 30_000, cleaningFee: 0, serviceFee: 0, taxes: 0, total: 30_000 },
      },
    });
    const refundRef = `re_${unique()}`;
    await deliver(
      stripeEvent("charge.refunded", charge(payment.providerRef!, [{ id: refundRef, amount: 30_000 }])),
    );
    const refunds = await t.app.db.refund.findMany({ where: { paymentId: payment.id } });
    expect(refunds).toMatchObject([{ id: ours.id, providerRef: refundRef, status: "SUCCEEDED" }]);
    expect(await t.app.db.payment.findUnique({ where: { id: payment.id } })).toMatchObject({
      refunded: 30_000n,
      status: "REFUNDED",
    });
  });

  it("a later event listing a refund already applied adds only the new one", async () => {
    const payment = await capturedPayment();
    const [firstRefund, secondRefund] = [
      { id: `re_${unique()}`, amount: 10_000 },
      { id: `re_${unique()}`, amount: 20_000 },
    ];
    await deliver(stripeEvent("charge.refunded", charge(payment.providerRef!, [firstRefund])));
    const later = await deliver(
      stripeEvent("charge.refunded", charge(payment.providerRef!, [firstRefund, secondRefund])),
    );

    expect(later.body).toEqual({ received: true });
    const refunds = await t.app.db.refund.findMany({
      where: { paymentId: payment.id },
      orderBy: { amount: "asc" },
    });
    expect(refunds.map((refund) => refund.providerRef)).toEqual([firstRefund.id, secondRefund.id]);
    expect(await t.app.db.payment.findUnique({ where: { id: payment.id } })).toMatchObject({
      refunded: 30_000n,
      status: "REFUNDED",
    });
  });

  it("acknowledges an event type Roost ignores", async () => {
    const event = stripeEvent("customer.created", { id: `cus_${unique()}`, object: "customer" });
    const { status, body } = await deliver(event);
    expect(status).toBe(200);
    expect(body).toEqual({ received: true });
    expect(await eventRow(event.id)).toMatchObject({ type: "customer.created" });
  });

  it("answers 500 when the event cannot be applied, recording nothing, so Stripe's retry applies it", async () => {
    const payment = await capturedPayment();
    // More refunded than captured: the payments CHECK refuses it.
    const event = stripeEvent(
      "charge.refunded",
      charge(payment.providerRef!, [{ id: `re_${unique()}`, amount: 40_000 }]),
    );
    const { status, body } = await deliver(event);
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: { code: "INTERNAL_SERVER_ERROR" } });
    expect(await eventRow(event.id)).toBeNull();
    expect(await t.app.db.refund.count({ where: { paymentId: payment.id } })).toBe(0);
  });

  it("answers 405 to anything but POST", async () => {
    const response = await fetch(`${t.url}/webhooks/stripe`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("refuses a body over the server's limit with 413", async () => {
    const response = await fetch(`${t.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=x" },
      body: "x".repeat(1_100_000),
    });
    expect(response.status).toBe(413);
  });
});

describe("POST /webhooks/stripe without a webhook secret", () => {
  it.each([
    [
      "Stripe configured without STRIPE_WEBHOOK_SECRET",
      { secretKey: "sk_test_x", webhookSecret: undefined, apiUrl: undefined },
    ],
    ["the built-in provider", undefined],
  ])("is not found with %s", async (_, stripe) => {
    const other = await startTestApp({
      redis: false,
      configure: (config) => {
        config.payments.stripe = stripe;
      },
    });
    try {
      const event = stripeEvent("customer.created", { id: "cus_1", object: "customer" });
      const payload = JSON.stringify(event);
      const response = await post(
        payload,
        Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
        other.url,
      );
      expect(response.status).toBe(404);
      expect(await other.app.db.paymentProviderEvent.count()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
