// The pure stay quote: discounts, fees, taxes, rounding and currencies, by tables and by a property check.
import { describe, expect, it } from "vitest";
import {
  formatMoney,
  MAX_MONEY_AMOUNT,
  minorUnitDigits,
  NIGHTLY_PRICE_CAP,
} from "../../../src/modules/pricing/money.ts";
import {
  AmountTooLargeError,
  discountPercentFor,
  divideRoundHalfUp,
  type QuoteLineKind,
  quoteStay,
  type StayPricingInput,
  type StayQuote,
} from "../../../src/modules/pricing/quote.ts";

/** €100 a night, €25 cleaning, 10% weekly, 20% monthly, 14% service fee, 10% taxes. */
const base: StayPricingInput = {
  currency: "EUR",
  nightPrices: [10_000],
  cleaningFee: 2_500,
  weeklyDiscountPercent: 10,
  monthlyDiscountPercent: 20,
  serviceFeeBps: 1_400,
  taxBps: 1_000,
};

const nights = (count: number, price = 10_000): number[] => Array.from({ length: count }, () => price);
const kinds = (lines: ReadonlyArray<{ kind: QuoteLineKind }>) => lines.map((line) => line.kind);
const sumOf = (amounts: readonly number[]) => amounts.reduce((sum, amount) => sum + amount, 0);

describe("quoteStay", () => {
  it.each([
    // name, input, subtotal, discount, serviceFee, taxes, total, discount label
    ["1 night", { nightPrices: nights(1) }, 10_000, 0, 1_400, 1_390, 15_290, undefined],
    ["6 nights: no discount yet", { nightPrices: nights(6) }, 60_000, 0, 8_400, 7_090, 77_990, undefined],
    [
      "7 nights: weekly",
      { nightPrices: nights(7) },
      70_000,
      7_000,
      9_800,
      7_530,
      82_830,
      "Weekly stay discount (10%)",
    ],
    [
      "27 nights: still weekly",
      { nightPrices: nights(27) },
      270_000,
      27_000,
      37_800,
      28_330,
      311_630,
      "Weekly stay discount (10%)",
    ],
    [
      "28 nights: monthly preferred over weekly",
      { nightPrices: nights(28) },
      280_000,
      56_000,
      39_200,
      26_570,
      292_270,
      "Monthly stay discount (20%)",
    ],
    [
      "28 nights: weekly when the monthly discount is 0",
      { nightPrices: nights(28), monthlyDiscountPercent: 0 },
      280_000,
      28_000,
      39_200,
      29_370,
      323_070,
      "Weekly stay discount (10%)",
    ],
    [
      "365 nights",
      { nightPrices: nights(365) },
      3_650_000,
      730_000,
      511_000,
      343_350,
      3_776_850,
      "Monthly stay discount (20%)",
    ],
    [
      "6 nights with two custom-priced nights: below the weekly boundary",
      { nightPrices: [...nights(4), 15_000, 15_000] },
      70_000,
      0,
      9_800,
      8_230,
      90_530,
      undefined,
    ],
    [
      "7 nights with two custom-priced nights: the discount applies to the custom prices too",
      { nightPrices: [...nights(5), 15_000, 15_000] },
      80_000,
      8_000,
      11_200,
      8_570,
      94_270,
      "Weekly stay discount (10%)",
    ],
  ] as const)("%s", (_name, overrides, subtotal, discount, serviceFee, taxes, total, discountLabel) => {
    const quote = quoteStay({ ...base, ...overrides });
    expect(quote).toMatchObject({
      nights: overrides.nightPrices.length,
      subtotal,
      discount,
      serviceFee,
      taxes,
      total,
    });
    expect(quote.subtotal).toBe(sumOf(overrides.nightPrices));
    expect(quote.lines[0]).toEqual({
      kind: "NIGHTS",
      label: `${quote.nights} ${quote.nights === 1 ? "night" : "nights"}`,
      amount: subtotal,
    });
    const discountLine = quote.lines.find((line) => line.kind === "DISCOUNT");
    if (discountLabel)
      expect(discountLine).toEqual({ kind: "DISCOUNT", label: discountLabel, amount: -discount });
    else expect(discountLine).toBeUndefined();
    expect(sumOf(quote.lines.map((line) => line.amount))).toBe(total);
  });

  it.each([
    // Half a minor unit rounds up, everywhere it arises.
    ["exactly half rounds up", 1_005, 7_035, 704, 985, 732, 8_048],
    ["below half rounds down", 1_003, 7_021, 702, 983, 730, 8_032],
  ])("rounds half up: %s", (_name, price, subtotal, discount, serviceFee, taxes, total) => {
    const quote = quoteStay({ ...base, cleaningFee: 0, nightPrices: nights(7, price) });
    expect(quote).toMatchObject({ subtotal, discount, serviceFee, taxes, total });
  });

  it.each([
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 3n], // half up, not half to even
    [149n, 100n, 1n],
    [150n, 100n, 2n],
    [0n, 100n, 0n],
    // Past 2^53, where numbers lose whole units: (2^63 − 1) / 10 rounds up.
    [9_223_372_036_854_775_807n, 10n, 922_337_203_685_477_581n],
  ])("divideRoundHalfUp(%s, %s) = %s", (numerator, denominator, expected) => {
    expect(divideRoundHalfUp(numerator, denominator)).toBe(expected);
  });

  it("prices a 0-decimal currency (JPY) in whole yen", () => {
    const quote = quoteStay({ ...base, currency: "JPY", nightPrices: nights(3, 15_000), cleaningFee: 3_000 });
    expect(quote).toMatchObject({
      currency: "JPY",
      subtotal: 45_000,
      serviceFee: 6_300,
      taxes: 5_430,
      total: 59_730,
    });
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(formatMoney(quote.total, "JPY")).toBe("¥59,730");

    const odd = quoteStay({ ...base, currency: "JPY", nightPrices: [999], cleaningFee: 0 });
    // 139.86 → 140 service fee; (999 + 140) × 10% = 113.9 → 114 taxes.
    expect(odd).toMatchObject({ serviceFee: 140, taxes: 114, total: 1_253 });
    expect(formatMoney(odd.total, "JPY")).toBe("¥1,253");
  });

  it("omits lines whose amount is zero", () => {
    const quote = quoteStay({
      ...base,
      nightPrices: nights(7),
      cleaningFee: 0,
      weeklyDiscountPercent: 0,
      serviceFeeBps: 0,
      taxBps: 0,
    });
    expect(quote.lines).toEqual([{ kind: "NIGHTS", label: "7 nights", amount: 70_000 }]);
    expect(quote).toMatchObject({ discount: 0, cleaningFee: 0, serviceFee: 0, taxes: 0, total: 70_000 });

    const tiny = quoteStay({ ...base, nightPrices: [1], cleaningFee: 0, serviceFeeBps: 1, taxBps: 1 });
    // 0.0001 of a cent rounds to nothing: no service fee or tax line at all.
    expect(kinds(tiny.lines)).toEqual(["NIGHTS"]);
  });

  it("keeps the lines in a fixed order, each with its label", () => {
    expect(
      quoteStay({ ...base, nightPrices: nights(7) }).lines.map((line) => [line.kind, line.label]),
    ).toEqual([
      ["NIGHTS", "7 nights"],
      ["DISCOUNT", "Weekly stay discount (10%)"],
      ["CLEANING_FEE", "Cleaning fee"],
      ["SERVICE_FEE", "Service fee"],
      ["TAXES", "Taxes"],
    ]);
  });

  it("refuses a stay of no nights", () => {
    expect(() => quoteStay({ ...base, nightPrices: [] })).toThrow(
      new RangeError("a stay has at least one night"),
    );
  });

  describe("amounts past what one Money carries (2,147,483,647)", () => {
    const bare = { ...base, cleaningFee: 0, serviceFeeBps: 0, taxBps: 0 };
    const tooLarge = (input: StayPricingInput): bigint => {
      try {
        quoteStay(input);
      } catch (error) {
        if (!(error instanceof AmountTooLargeError)) throw error;
        // A RangeError that says what was refused, for the logs of any caller that lets it through.
        expect(error).toBeInstanceOf(RangeError);
        expect(error.name).toBe("AmountTooLargeError");
        expect(error.message).toBe(
          `an amount of ${error.amount} minor units is more than one Money carries (2147483647)`,
        );
        return error.amount;
      }
      throw new Error("expected AmountTooLargeError");
    };

    it("prices a total of exactly MAX_MONEY_AMOUNT and refuses one minor unit more", () => {
      expect(quoteStay({ ...bare, nightPrices: [MAX_MONEY_AMOUNT] }).total).toBe(MAX_MONEY_AMOUNT);
      expect(quoteStay({ ...bare, nightPrices: [MAX_MONEY_AMOUNT - 5], cleaningFee: 5 }).total).toBe(
        MAX_MONEY_AMOUNT,
      );
      expect(tooLarge({ ...bare, nightPrices: [MAX_MONEY_AMOUNT, 1] })).toBe(2_147_483_648n);
      expect(tooLarge({ ...bare, nightPrices: [MAX_MONEY_AMOUNT - 5], cleaningFee: 6 })).toBe(2_147_483_648n);
    });

    it("counts fees and taxes: a subtotal that fits can make a total that does not", () => {
      // 2,000,000,000 + 14% service fee: the total passes the limit, the subtotal does not.
      expect(tooLarge({ ...bare, nightPrices: [1_000_000_000, 1_000_000_000], serviceFeeBps: 1_400 })).toBe(
        2_280_000_000n,
      );
      expect(tooLarge({ ...bare, nightPrices: [2_000_000_000], taxBps: 1_000 })).toBe(2_200_000_000n);
    });

    it("refuses a subtotal past the limit even when the discounted total fits", () => {
      // 28 nights of 100,000,000 with 99% off: a total of 28,000,000, but a NIGHTS line of 2,800,000,000.
      const input = { ...bare, nightPrices: nights(28, 100_000_000), monthlyDiscountPercent: 99 };
      expect(tooLarge(input)).toBe(2_800_000_000n);
      expect(
        quoteStay({ ...input, nightPrices: nights(21, 100_000_000), weeklyDiscountPercent: 99 }).total,
      ).toBe(21_000_000);
    });

    it("is exact where floating point is not: 365 nights at the cap with 50% fees", () => {
      // Refused at its subtotal, 182,500,000,000; and 2^53 + 1, which no float holds, exactly.
      const input = { ...bare, nightPrices: nights(365, 500_000_000), serviceFeeBps: 5_000, taxBps: 5_000 };
      expect(tooLarge(input)).toBe(182_500_000_000n);
      expect(tooLarge({ ...input, nightPrices: [Number.MAX_SAFE_INTEGER, 2] })).toBe(9_007_199_254_740_993n);
    });
  });

  it("holds its invariants for many generated stays", () => {
    const random = seededRandom(20270301);
    const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
    let refusedRuns = 0;
    for (let run = 0; run < 2_000; run++) {
      // One run in four: a few nights up to the cap, whose totals fall on either side of the limit.
      const dear = random() < 0.25;
      const priceMax = dear ? NIGHTLY_PRICE_CAP : 1_000_000;
      const input: StayPricingInput = {
        currency: random() < 0.2 ? "JPY" : "EUR",
        nightPrices: Array.from({ length: between(1, dear ? 12 : 400) }, () => between(100, priceMax)),
        cleaningFee: random() < 0.3 ? 0 : between(0, priceMax / 10),
        weeklyDiscountPercent: random() < 0.3 ? 0 : between(0, 99),
        monthlyDiscountPercent: random() < 0.3 ? 0 : between(0, 99),
        serviceFeeBps: between(0, 5_000),
        taxBps: between(0, 5_000),
      };
      const context = JSON.stringify({ run, input: { ...input, nightPrices: input.nightPrices.length } });
      // The same rule in floating point: close to the exact one, enough to say which side of the limit.
      const subtotal = sumOf(input.nightPrices);
      const percent = discountPercentFor(
        input.nightPrices.length,
        input.weeklyDiscountPercent,
        input.monthlyDiscountPercent,
      );
      const roughTotal =
        (subtotal * (1 - percent / 100) + input.cleaningFee + (subtotal * input.serviceFeeBps) / 10_000) *
        (1 + input.taxBps / 10_000);
      const roughLargest = Math.max(subtotal, roughTotal);
      let quote: StayQuote;
      try {
        quote = quoteStay(input);
      } catch (error) {
        expect(error, context).toBeInstanceOf(AmountTooLargeError);
        expect(roughLargest, context).toBeGreaterThan(MAX_MONEY_AMOUNT - 2);
        refusedRuns++;
        continue;
      }
      expect(roughLargest, context).toBeLessThan(MAX_MONEY_AMOUNT + 2);
      expect(Math.abs(quote.total - roughTotal), context).toBeLessThanOrEqual(3);

      expect(sumOf(quote.lines.map((line) => line.amount)), context).toBe(quote.total);
      expect(quote.subtotal, context).toBe(sumOf(input.nightPrices));
      expect(quote.discount, context).toBeGreaterThanOrEqual(0);
      expect(quote.discount, context).toBeLessThanOrEqual(quote.subtotal);
      const discountLines = quote.lines.filter((line) => line.kind === "DISCOUNT");
      expect(
        discountLines.map((line) => line.amount),
        context,
      ).toEqual(quote.discount > 0 ? [-quote.discount] : []);
      expect(
        quote.lines.every(
          (line) => Number.isSafeInteger(line.amount) && line.amount !== 0 && line.amount <= MAX_MONEY_AMOUNT,
        ),
        context,
      ).toBe(true);
      expect(quote.total, context).toBe(
        quote.subtotal - quote.discount + quote.cleaningFee + quote.serviceFee + quote.taxes,
      );
    }
    // Both sides of the limit were explored.
    expect(refusedRuns).toBeGreaterThan(50);
    expect(refusedRuns).toBeLessThan(500);
  });
});

/** mulberry32: a tiny deterministic generator, so a failing run can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
