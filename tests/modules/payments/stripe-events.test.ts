// Stripe's webhook events in Roost's words (ProviderEvent), one row per case.
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { toProviderEvent } from "../../../src/modules/payments/stripe-provider.ts";

describe("toProviderEvent", () => {
  const intent = (fields: Record<string, unknown>) => ({
    id: "pi_1",
    object: "payment_intent",
    currency: "eur",
    amount: 10_000,
    amount_capturable: 0,
    amount_received: 0,
    last_payment_error: null,
    ...fields,
  });
  const charge = (fields: Record<string, unknown>) => ({
    id: "ch_1",
    object: "charge",
    currency: "eur",
    payment_intent: "pi_1",
    amount: 10_000,
    amount_refunded: 0,
    ...fields,
  });
  const event = (type: string, object: unknown) =>
    ({ id: "evt_1", object: "event", type, data: { object } }) as unknown as Stripe.Event;

  it.each([
    [
      "payment_intent.amount_capturable_updated",
      intent({ amount_capturable: 10_000 }),
      { kind: "authorized", ref: "pi_1", amount: 10_000 },
    ],
    [
      "payment_intent.canceled",
      intent({ status: "canceled" }),
      { kind: "authorization_canceled", ref: "pi_1" },
    ],
    [
      "payment_intent.succeeded",
      intent({ amount_received: 9_000 }),
      { kind: "capture_succeeded", ref: "pi_1", amount: 9_000 },
    ],
    [
      "payment_intent.succeeded (IDR, back to whole rupiah)",
      intent({ currency: "idr", amount_received: 150_000_000 }),
      { kind: "capture_succeeded", ref: "pi_1", amount: 1_500_000 },
    ],
    [
      "payment_intent.payment_failed",
      intent({ last_payment_error: { code: "card_declined", decline_code: "lost_card" } }),
      { kind: "payment_failed", ref: "pi_1", code: "lost_card" },
    ],
    [
      "payment_intent.payment_failed (no decline code)",
      intent({ last_payment_error: { code: "expired_card" } }),
      { kind: "payment_failed", ref: "pi_1", code: "expired_card" },
    ],
    [
      "charge.refunded (refunds listed; failed ones left out)",
      charge({
        amount_refunded: 7_000,
        refunds: {
          object: "list",
          data: [
            { id: "re_1", amount: 3_000, status: "succeeded" },
            { id: "re_2", amount: 4_000, status: "pending" },
            { id: "re_3", amount: 500, status: "failed" },
          ],
        },
      }),
      {
        kind: "refunded",
        ref: "pi_1",
        refunds: [
          { ref: "re_1", amount: 3_000 },
          { ref: "re_2", amount: 4_000 },
        ],
      },
    ],
    [
      "charge.refunded (refunds not expanded)",
      charge({ amount_refunded: 7_000 }),
      { kind: "refunded", ref: "pi_1", refunds: [{ ref: "ch_1:total", amount: 7_000 }] },
    ],
    [
      "charge.refunded (payment_intent expanded)",
      charge({ payment_intent: { id: "pi_1" }, amount_refunded: 100 }),
      { kind: "refunded", ref: "pi_1", refunds: [{ ref: "ch_1:total", amount: 100 }] },
    ],
    [
      "charge.refunded (not a PaymentIntent's charge)",
      charge({ payment_intent: null, amount_refunded: 100 }),
      undefined,
    ],
    ["customer.created", { id: "cus_1", object: "customer" }, undefined],
  ])("%s", (type, object, expected) => {
    expect(toProviderEvent(event(type.split(" ")[0]!, object))).toEqual(expected);
  });
});
