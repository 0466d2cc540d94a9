// What is left to refund of a payment and how an amount is split over it, by table: refunds of
// any kind together never return more of a component than was paid, and a split always adds up.
import { describe, expect, it } from "vitest";
import type { RefundBreakdown } from "../../../src/modules/bookings/refund-policy.ts";
import {
  capBreakdown,
  remainingComponents,
  splitRefund,
} from "../../../src/modules/payments/refund-split.ts";

const parts = (nights: number, cleaningFee: number, serviceFee: number, taxes: number): RefundBreakdown => ({
  nights,
  cleaningFee,
  serviceFee,
  taxes,
  total: nights + cleaningFee + serviceFee + taxes,
});
const paid = parts(30_000, 2_500, 4_200, 3_670);

describe("remainingComponents", () => {
  it.each([
    ["nothing refunded", [], paid],
    ["one refund", [parts(10_000, 2_500, 0, 1_000)], parts(20_000, 0, 4_200, 2_670)],
    ["two refunds", [parts(10_000, 0, 0, 0), parts(5_000, 500, 200, 70)], parts(15_000, 2_000, 4_000, 3_600)],
    ["a breakdown missing parts (read as zero)", [{ nights: 1_000 }], parts(29_000, 2_500, 4_200, 3_670)],
    [
      "more refunded of a part than paid (never below zero)",
      [parts(40_000, 0, 0, 0)],
      parts(0, 2_500, 4_200, 3_670),
    ],
  ] as const)("%s", (_label, refunds, expected) => {
    expect(remainingComponents(paid, refunds)).toEqual(expected);
  });
});

describe("capBreakdown", () => {
  it("keeps what the policy decided where enough is left, and takes only what is left elsewhere", () => {
    expect(capBreakdown(parts(30_000, 2_500, 4_200, 3_670), parts(20_000, 2_500, 0, 3_000))).toEqual(
      parts(20_000, 2_500, 0, 3_000),
    );
    expect(capBreakdown(parts(5_000, 0, 0, 500), paid)).toEqual(parts(5_000, 0, 0, 500));
  });
});

describe("splitRefund", () => {
  it.each([
    ["all of what is left: exactly it", paid, paid.total],
    ["a third", paid, 13_456],
    ["one unit", paid, 1],
    ["all but one unit", paid, paid.total - 1],
    ["over parts of which some are spent", parts(0, 0, 4_200, 0), 3_000],
    ["over uneven parts", parts(1, 1, 1, 7), 5],
  ] as const)("%s adds up and stays within each part", (_label, remaining, amount) => {
    const split = splitRefund(remaining, amount);
    expect(split.total).toBe(amount);
    expect(split.nights + split.cleaningFee + split.serviceFee + split.taxes).toBe(amount);
    for (const key of ["nights", "cleaningFee", "serviceFee", "taxes"] as const) {
      expect(split[key]).toBeGreaterThanOrEqual(0);
      expect(split[key]).toBeLessThanOrEqual(remaining[key]);
    }
  });

  it("splits in proportion, rounding down, the rest to nights first", () => {
    expect(splitRefund(parts(6_000, 2_000, 1_000, 1_000), 5_000)).toEqual(parts(3_000, 1_000, 500, 500));
    expect(splitRefund(parts(1, 1, 1, 0), 2)).toEqual(parts(1, 1, 0, 0));
    expect(splitRefund(paid, paid.total)).toEqual(paid);
  });

  it.each([0, -1, 1.5, paid.total + 1])("refuses %s", (amount) => {
    expect(() => splitRefund(paid, amount)).toThrow(RangeError);
  });
});
