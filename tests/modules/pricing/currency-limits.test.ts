// Prices in each currency's own minor unit and limits: the currency table's promises (one night
// always fits one Money), and the limits as createListing and updateListing apply them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateListingDocument,
  type CreateListingInput,
  CurrenciesDocument,
  UpdateListingDocument,
} from "../../../schema/generated/graphql.ts";
import {
  CURRENCIES,
  formatMoney,
  isKnownCurrency,
  MAX_MONEY_AMOUNT,
  minorUnitDigits,
  NIGHTLY_PRICE_CAP,
  nightlyPriceIssues,
} from "../../../src/modules/pricing/money.ts";
import { quoteStay } from "../../../src/modules/pricing/quote.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { validListingInput } from "../listings/listing-input.ts";

// Intl puts a no-break space between a currency code and the amount.
describe("the currency table", () => {
  const entries = Object.entries(CURRENCIES);

  it.each(entries)("%s: one night at the maximum price and cleaning fee fits one Money", (code, rules) => {
    expect(isKnownCurrency(code)).toBe(true);
    expect(rules.nightlyPriceMin).toBeGreaterThan(0);
    expect(rules.nightlyPriceMin).toBeLessThan(rules.nightlyPriceMax);
    expect(rules.nightlyPriceMax).toBeLessThanOrEqual(NIGHTLY_PRICE_CAP);
    // The config's ceilings: a 50% service fee and 50% taxes.
    const night = quoteStay({
      currency: code,
      nightPrices: [rules.nightlyPriceMax],
      cleaningFee: rules.nightlyPriceMax,
      weeklyDiscountPercent: 0,
      monthlyDiscountPercent: 0,
      serviceFeeBps: 5_000,
      taxBps: 5_000,
    });
    expect(night.total).toBeLessThanOrEqual(MAX_MONEY_AMOUNT);
  });

  it.each([
    ["EUR", 2, 12_345, "€123.45"],
    ["USD", 2, 2_000_000, "$20,000.00"],
    ["JPY", 0, 12_345, "¥12,345"],
    ["ISK", 0, 32_000, "ISK\u00a032,000"],
    ["KWD", 3, 6_000_000, "KWD\u00a06,000.000"],
    ["BHD", 3, 1_234, "BHD\u00a01.234"],
    // Whole rupiah, whatever the runtime's ICU says; HUF keeps ISO's fillér.
    ["IDR", 0, 300_000_000, "IDR\u00a0300,000,000"],
    ["HUF", 2, 12_345, "HUF\u00a0123.45"],
    ["VND", 0, 500_000_000, "₫500,000,000"],
  ])("%s counts %i decimals: %i is %s", (code, digits, amount, formatted) => {
    expect(minorUnitDigits(code)).toBe(digits);
    expect(formatMoney(amount, code)).toBe(formatted);
  });

  it("reports each price against its currency's limits, or the widest ones without a currency", () => {
    expect(nightlyPriceIssues("IDR", { nightlyPrice: 10_000_001, cleaningFee: 300_000_000 })).toEqual([]);
    expect(nightlyPriceIssues("IDR", { nightlyPrice: 14_999, cleaningFee: 300_000_001 })).toEqual([
      { path: "nightlyPrice", message: "must be at least 15000 for IDR (IDR\u00a015,000)" },
      { path: "cleaningFee", message: "must be at most 300000000 for IDR (IDR\u00a0300,000,000)" },
    ]);
    expect(nightlyPriceIssues("JPY", { nightlyPrice: 3_000_001 }, "ranges.4.")).toEqual([
      { path: "ranges.4.nightlyPrice", message: "must be at most 3000000 for JPY (¥3,000,000)" },
    ]);
    expect(nightlyPriceIssues("EUR", { cleaningFee: -1 })).toEqual([
      { path: "cleaningFee", message: "must be at least 0" },
    ]);
    expect(nightlyPriceIssues(undefined, { nightlyPrice: 500_000_000 })).toEqual([]);
    expect(nightlyPriceIssues("XAU", { nightlyPrice: 99, cleaningFee: 500_000_001 })).toEqual([
      { path: "nightlyPrice", message: "must be at least 100" },
      { path: "cleaningFee", message: "must be at most 500000000" },
    ]);
  });
});

describe("currency limits over the API", () => {
  let t: TestApp;
  let host: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    host = await factories(t).user().create();
  });
  afterAll(() => t.close());

  const create = (overrides: Partial<CreateListingInput>) =>
    host.client.request(CreateListingDocument, { input: validListingInput(overrides) });

  it("lists the currencies with their exponents and limits", async () => {
    const { currencies } = await t.client.ok(CurrenciesDocument, {});
    expect(currencies.map((currency) => currency.code)).toEqual(Object.keys(CURRENCIES).sort());
    expect(currencies.find((currency) => currency.code === "IDR")).toEqual({
      code: "IDR",
      exponent: 0,
      nightlyPriceMin: { amount: 15_000, currency: "IDR", formatted: "IDR\u00a015,000" },
      nightlyPriceMax: { amount: 300_000_000, currency: "IDR", formatted: "IDR\u00a0300,000,000" },
    });
    expect(currencies.find((currency) => currency.code === "KWD")).toMatchObject({
      exponent: 3,
      nightlyPriceMax: { amount: 6_000_000, formatted: "KWD\u00a06,000.000" },
    });
  });

  it("prices a villa in Bali at Rp300,000,000 a night, which 10,000,000 minor units everywhere refused", async () => {
    const villa = await create({ currency: "IDR", nightlyPrice: 300_000_000, cleaningFee: 1_500_000 });
    expect(villa.errors).toBeUndefined();
    expect(villa.data?.createListing.listing.nightlyPrice).toEqual({
      amount: 300_000_000,
      currency: "IDR",
      formatted: "IDR\u00a0300,000,000",
    });
    const dearer = await create({ currency: "IDR", nightlyPrice: 300_000_001 });
    expect(fieldsOf(dearer)).toEqual([
      { path: "nightlyPrice", message: "must be at most 300000000 for IDR (IDR\u00a0300,000,000)" },
    ]);
  });

  it.each<[string, Partial<CreateListingInput>, Array<{ path: string; message: string }>]>([
    [
      "a price and a cleaning fee above JPY's maximum",
      { currency: "JPY", nightlyPrice: 3_000_001, cleaningFee: 3_000_001 },
      [
        { path: "nightlyPrice", message: "must be at most 3000000 for JPY (¥3,000,000)" },
        { path: "cleaningFee", message: "must be at most 3000000 for JPY (¥3,000,000)" },
      ],
    ],
    [
      "under the minimum in VND",
      { currency: "VND", nightlyPrice: 24_999 },
      [{ path: "nightlyPrice", message: "must be at least 25000 for VND (₫25,000)" }],
    ],
    [
      "a currency listings cannot be priced in",
      { currency: "COP" },
      [{ path: "currency", message: "COP is not a currency listings can be priced in (see `currencies`)" }],
    ],
  ])("refuses %s", async (_case, overrides, fields) => {
    const result = await create(overrides);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual(fields);
  });

  it("accepts each currency's own boundaries", async () => {
    for (const input of [
      { currency: "KWD", nightlyPrice: 6_000_000, cleaningFee: 6_000_000 },
      { currency: "VND", nightlyPrice: 25_000, cleaningFee: 0 },
      { currency: "VND", nightlyPrice: 500_000_000, cleaningFee: 500_000_000 },
      { currency: "EUR", nightlyPrice: 100, cleaningFee: 2_000_000 },
    ]) {
      const result = await create(input);
      expect(result.errors, JSON.stringify(input)).toBeUndefined();
    }
  });

  it("updateListing checks prices against a currency it changes to", async () => {
    const listing = (await host.client.ok(CreateListingDocument, { input: validListingInput() }))
      .createListing.listing;
    const update = (fields: { currency?: string; nightlyPrice?: number }) =>
      host.client.request(UpdateListingDocument, {
        input: { listingId: listing.id, ...fields },
      });
    expect(fieldsOf(await update({ currency: "JPY", nightlyPrice: 3_000_001 }))).toEqual([
      { path: "nightlyPrice", message: "must be at most 3000000 for JPY (¥3,000,000)" },
    ]);
    // Without a currency, the widest limits hold at the edge.
    expect(fieldsOf(await update({ nightlyPrice: 500_000_001 }))).toEqual([
      { path: "nightlyPrice", message: "must be at most 500000000" },
    ]);
    const moved = await update({ currency: "JPY", nightlyPrice: 15_000 });
    expect(moved.errors).toBeUndefined();
  });
});
