// The Stripe provider through the real SDK against a local stub of Stripe's API: what is sent
// (form params, Idempotency-Key), and how Stripe's answers and failures come back to Roost.
import { createServer } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AuthorizeRequest,
  PaymentDeclinedError,
  ProviderUnavailableError,
  providerKeys,
} from "../../../src/modules/payments/provider.ts";
import {
  StripePayoutsUnsupportedError,
  StripeProvider,
} from "../../../src/modules/payments/stripe-provider.ts";
import { cardError, serverError, StripeStub } from "../../helpers/stripe-stub.ts";

let stub: StripeStub;
let stripe: StripeProvider;
beforeAll(async () => {
  stub = await StripeStub.start();
  stripe = new StripeProvider({ secretKey: "sk_test_roost", webhookSecret: undefined, apiUrl: stub.url });
});
afterAll(() => stub.close());

let n = 0;
let request: AuthorizeRequest;
beforeEach(() => {
  n += 1;
  request = {
    idempotencyKey: providerKeys.authorize(`payment-${n}`),
    paymentMethod: "pm_card_visa",
    amount: 12_345,
    currency: "EUR",
    metadata: {
      bookingId: `booking-${n}`,
      paymentId: `payment-${n}`,
      guestId: "guest-1",
      listingId: "listing-1",
    },
    description: "Roost stay",
  };
});

describe("authorize", () => {
  it("creates a confirmed manual-capture PaymentIntent with our idempotency key", async () => {
    const { ref } = await stripe.authorize(request);

    const [sent, ...more] = stub.requestsTo("POST", "/v1/payment_intents");
    expect(more).toEqual([]);
    expect(sent?.idempotencyKey).toBe(request.idempotencyKey);
    expect(sent?.authorization).toBe("Bearer sk_test_roost");
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({
      amount: "12345",
      currency: "eur",
      payment_method: "pm_card_visa",
      confirm: "true",
      capture_method: "manual",
      "allowed_payment_method_types[0]": "card",
      error_on_requires_action: "true",
      "metadata[bookingId]": request.metadata.bookingId,
      "metadata[paymentId]": request.metadata.paymentId,
      "metadata[guestId]": "guest-1",
      "metadata[listingId]": "listing-1",
      description: "Roost stay",
    });
    expect(stub.intents.get(ref)).toMatchObject({ status: "requires_capture", amount: 12_345 });
  });

  it("sends IDR, which Roost counts in whole rupiah, as Stripe's two-decimal amount", async () => {
    await stripe.authorize({ ...request, amount: 1_500_000, currency: "IDR" });
    const sent = stub.requestsTo("POST", "/v1/payment_intents").at(-1);
    expect(sent?.form.get("amount")).toBe("150000000");
    expect(sent?.form.get("currency")).toBe("idr");
  });

  it("answers a card decline with PaymentDeclinedError and the issuer's code, without retrying", async () => {
    stub.answer("POST", "/v1/payment_intents", cardError("insufficient_funds"));
    const before = stub.requests.length;

    const error = await stripe.authorize(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect((error as PaymentDeclinedError).declineCode).toBe("insufficient_funds");
    expect(stub.requests.length - before).toBe(1);
  });

  it("declines a payment method Stripe does not know", async () => {
    stub.answer("POST", "/v1/payment_intents", {
      status: 400,
      body: {
        error: {
          type: "invalid_request_error",
          code: "resource_missing",
          param: "payment_method",
          message: "No such PaymentMethod: 'pm_nope'",
        },
      },
    });
    const error = await stripe.authorize({ ...request, paymentMethod: "pm_nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect((error as PaymentDeclinedError).declineCode).toBe("resource_missing");
  });

  it("declines an intent that did not reach requires_capture", async () => {
    stub.answer("POST", "/v1/payment_intents", {
      status: 200,
      body: {
        id: "pi_needs_method",
        object: "payment_intent",
        status: "requires_payment_method",
        amount: 12_345,
        currency: "eur",
        last_payment_error: { type: "card_error", code: "card_declined", decline_code: "do_not_honor" },
      },
    });
    const error = await stripe.authorize(request).catch((e: unknown) => e);
    expect((error as PaymentDeclinedError).declineCode).toBe("do_not_honor");
  });

  it("gives up on a 500 after the SDK's two retries, all with the same key: ProviderUnavailableError", async () => {
    stub.answer("POST", "/v1/payment_intents", serverError, 3);
    const error = await stripe.authorize(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(Stripe.errors.StripeAPIError);
    const attempts = stub
      .requestsTo("POST", "/v1/payment_intents")
      .filter((r) => r.idempotencyKey === request.idempotencyKey);
    expect(attempts).toHaveLength(3);
  });

  it("succeeds when a retry after a 500 gets through, creating one intent", async () => {
    stub.answer("POST", "/v1/payment_intents", serverError);
    const before = stub.intents.size;
    const { ref } = await stripe.authorize(request);
    expect(stub.intents.size - before).toBe(1);
    expect(stub.intents.get(ref)?.metadata).toMatchObject({ bookingId: request.metadata.bookingId });
  });

  it("replays with the same key: one intent, the same ref (Stripe's idempotency)", async () => {
    const first = await stripe.authorize(request);
    const second = await stripe.authorize(request);
    expect(second.ref).toBe(first.ref);
  });

  it("treats a stalled Stripe as unavailable once the timeout and retries run out", async () => {
    const impatient = new StripeProvider(
      { secretKey: "sk_test_roost", webhookSecret: undefined, apiUrl: stub.url },
      { timeoutMs: 200 },
    );
    stub.answer("POST", "/v1/payment_intents", "stall", 3);
    const error = await impatient.authorize(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(
      stub
        .requestsTo("POST", "/v1/payment_intents")
        .filter((r) => r.idempotencyKey === request.idempotencyKey),
    ).toHaveLength(3);
  });

  it("treats a refused connection as unavailable", async () => {
    const port = await closedPort();
    const offline = new StripeProvider(
      { secretKey: "sk_test_roost", webhookSecret: undefined, apiUrl: `http://127.0.0.1:${port}` },
      { maxNetworkRetries: 0 },
    );
    const error = await offline.authorize(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });

  it("treats a refused API key as unavailable (our configuration, not the guest's card)", async () => {
    stub.answer("POST", "/v1/payment_intents", {
      status: 401,
      body: { error: { type: "invalid_request_error", message: "Invalid API Key provided: sk_test_***" } },
    });
    const error = await stripe.authorize(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });
});

describe("capture, void, refund", () => {
  it("captures the amount asked, with our key", async () => {
    const { ref } = await stripe.authorize(request);
    const key = providerKeys.capture(request.metadata.paymentId);
    await stripe.capture({ idempotencyKey: key, ref, amount: 12_000 });

    const [sent] = stub.requestsTo("POST", `/v1/payment_intents/${ref}/capture`);
    expect(sent?.idempotencyKey).toBe(key);
    expect(sent?.form.get("amount_to_capture")).toBe("12000");
    expect(stub.intents.get(ref)).toMatchObject({ status: "succeeded", amount_received: 12_000 });
  });

  it("captures IDR in Stripe's units", async () => {
    const intent = stub.seedIntent({ amount: 150_000_000, currency: "idr", status: "requires_capture" });
    await stripe.capture({ idempotencyKey: "roost:test:capture-idr", ref: intent.id, amount: 1_500_000 });
    expect(
      stub.requestsTo("POST", `/v1/payment_intents/${intent.id}/capture`)[0]?.form.get("amount_to_capture"),
    ).toBe("150000000");
  });

  it("a capture of an intent captured before succeeds without capturing again", async () => {
    const intent = stub.seedIntent({
      amount: 5_000,
      currency: "eur",
      status: "succeeded",
      amount_received: 5_000,
    });
    await stripe.capture({ idempotencyKey: "roost:test:capture-again", ref: intent.id, amount: 5_000 });
    expect(stub.requestsTo("POST", `/v1/payment_intents/${intent.id}/capture`)).toEqual([]);
  });

  it("a capture after the hold expired is declined", async () => {
    const intent = stub.seedIntent({
      amount: 5_000,
      currency: "eur",
      status: "canceled",
      cancellation_reason: "automatic",
    });
    const error = await stripe
      .capture({ idempotencyKey: "roost:test:capture-expired", ref: intent.id, amount: 5_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect((error as PaymentDeclinedError).declineCode).toBe("automatic");
  });

  it("voids with our key; a void of an intent canceled before succeeds", async () => {
    const { ref } = await stripe.authorize(request);
    const key = providerKeys.void(request.metadata.paymentId);
    await stripe.void({ idempotencyKey: key, ref });
    expect(stub.requestsTo("POST", `/v1/payment_intents/${ref}/cancel`)[0]?.idempotencyKey).toBe(key);
    expect(stub.intents.get(ref)?.status).toBe("canceled");

    // Another key, so Stripe really refuses (payment_intent_unexpected_state) instead of replaying.
    await expect(stripe.void({ idempotencyKey: `${key}:again`, ref })).resolves.toBeUndefined();
    expect(stub.requestsTo("POST", `/v1/payment_intents/${ref}/cancel`)).toHaveLength(2);
  });

  it("a void of a captured intent fails: there is no hold left to release", async () => {
    const intent = stub.seedIntent({ amount: 5_000, currency: "eur", status: "succeeded" });
    await expect(
      stripe.void({ idempotencyKey: "roost:test:void-captured", ref: intent.id }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it("refunds with our key and reason, returning Stripe's refund id", async () => {
    const { ref } = await stripe.authorize(request);
    await stripe.capture({
      idempotencyKey: providerKeys.capture(request.metadata.paymentId),
      ref,
      amount: 12_345,
    });
    const key = providerKeys.refund(`refund-${n}`);

    const refund = await stripe.refund({
      idempotencyKey: key,
      ref,
      amount: 6_000,
      reason: "guest_cancelled",
    });

    expect(refund.ref).toMatch(/^re_/);
    const [sent] = stub.requestsTo("POST", "/v1/refunds");
    expect(sent?.idempotencyKey).toBe(key);
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({
      payment_intent: ref,
      amount: "6000",
      "metadata[reason]": "guest_cancelled",
    });
  });

  it("a refund during an outage is ProviderUnavailableError", async () => {
    const intent = stub.seedIntent({
      amount: 5_000,
      currency: "eur",
      status: "succeeded",
      amount_received: 5_000,
    });
    stub.answer("POST", "/v1/refunds", serverError, 3);
    await expect(
      stripe.refund({ idempotencyKey: "roost:test:refund-outage", ref: intent.id, amount: 5_000 }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("payouts are an extension point: they need Stripe Connect accounts", async () => {
    const before = stub.requests.length;
    await expect(
      stripe.payout({
        idempotencyKey: providerKeys.payout("payout-1"),
        hostId: "host-1",
        amount: 10_000,
        currency: "EUR",
        metadata: { payoutId: "payout-1", bookingId: "booking-1" },
      }),
    ).rejects.toThrow(StripePayoutsUnsupportedError);
    expect(stub.requests.length).toBe(before);
  });
});

/** A port nothing listens on: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
