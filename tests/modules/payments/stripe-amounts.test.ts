// Our minor units against Stripe's, currency by currency.
import { describe, expect, it } from "vitest";
import { fromStripeAmount, toStripeAmount } from "../../../src/modules/payments/stripe-amounts.ts";

describe("toStripeAmount and fromStripeAmount", () => {
  it.each([
    // currency, ours, Stripe's
    ["EUR", 12_345, 12_345],
    ["JPY", 5_000, 5_000],
    ["KRW", 50_000, 50_000],
    ["CLP", 20_000, 20_000],
    ["VND", 500_000, 500_000],
    ["HUF", 3_000_000, 3_000_000],
    ["IDR", 1_500_000, 150_000_000],
    ["ISK", 20_000, 2_000_000],
    ["KWD", 12_340, 12_340],
    ["idr", 15_000, 1_500_000],
  ])("%s: %i ours is %i Stripe's, and back", (currency, ours, stripes) => {
    expect(toStripeAmount(ours, currency)).toBe(stripes);
    expect(fromStripeAmount(stripes, currency)).toBe(ours);
  });

  it("refuses a three-decimal amount Stripe cannot take (it must end in 0)", () => {
    expect(() => toStripeAmount(12_345, "KWD")).toThrow(/multiples of 10/);
    expect(() => toStripeAmount(1_005, "BHD")).toThrow(RangeError);
  });

  it("rounds a fraction of a rupiah from Stripe half up", () => {
    expect(fromStripeAmount(150_000_050, "IDR")).toBe(1_500_001);
    expect(fromStripeAmount(150_000_049, "IDR")).toBe(1_500_000);
  });
});
