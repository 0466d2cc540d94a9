// Money is integer minor units plus an ISO 4217 currency. The currencies Roost takes, their
// minor-unit exponents and price limits live here; formatting happens only here, at the edge.
import type { FieldError } from "../../core/errors.ts";

/** The largest amount one Money carries: Money.amount is a GraphQL Int (32-bit signed). */
export const MAX_MONEY_AMOUNT = 2_147_483_647;

/**
 * No currency's nightly maximum passes this: one night at the maximum price plus the maximum
 * cleaning fee, with a 50% service fee and 50% taxes (the config's ceilings), still fits one
 * Money: 500,000,000 × 2.5 × 1.5 = 1,875,000,000.
 */
export const NIGHTLY_PRICE_CAP = 500_000_000;

export interface CurrencyRules {
  /** Digits after the decimal point of Roost's minor unit: 2 for EUR (cents), 0 for JPY, 3 for KWD. */
  exponent: number;
  /** Lowest nightly price, in minor units: about one US dollar. */
  nightlyPriceMin: number;
  /** Highest nightly price and cleaning fee, in minor units: about USD 20,000 where it fits. */
  nightlyPriceMax: number;
}

const rules = (exponent: number, nightlyPriceMin: number, nightlyPriceMax: number): CurrencyRules => ({
  exponent,
  nightlyPriceMin,
  nightlyPriceMax,
});

/**
 * The currencies a listing may be priced in. Exponents are ISO 4217's, with one exception:
 * IDR is counted in whole rupiah (exponent 0, ISO says 2). No sub-rupiah coin has circulated
 * for decades, Indonesian processors refuse decimals (Midtrans), and Adyen and Currencycloud
 * use 0; Stripe's API takes IDR with 2 decimals, so a Stripe provider multiplies by 100 at its
 * edge. With exponent 2, a 32-bit Money.amount would stop at Rp21,474,836 (about USD 1,300).
 *
 * Limits are set in round figures from rough exchange rates (not for conversion, and not
 * updated with the market): minimum ≈ USD 1, maximum ≈ USD 20,000, except HUF, whose maximum
 * stops at NIGHTLY_PRICE_CAP (Ft5,000,000, about USD 14,000). Currencies whose USD 20,000 is
 * far beyond the cap at their ISO exponent (COP, NGN, ARS...) are left out until they get an
 * exponent decision of their own.
 */
export const CURRENCIES: Readonly<Record<string, CurrencyRules>> = {
  AED: rules(2, 300, 7_500_000),
  AUD: rules(2, 100, 3_000_000),
  BHD: rules(3, 300, 7_500_000),
  BRL: rules(2, 500, 11_000_000),
  CAD: rules(2, 100, 3_000_000),
  CHF: rules(2, 100, 2_000_000),
  CLP: rules(0, 1_000, 20_000_000),
  CNY: rules(2, 500, 15_000_000),
  CZK: rules(2, 2_000, 45_000_000),
  DKK: rules(2, 500, 15_000_000),
  EGP: rules(2, 5_000, 100_000_000),
  EUR: rules(2, 100, 2_000_000),
  GBP: rules(2, 100, 1_500_000),
  HKD: rules(2, 500, 15_000_000),
  HUF: rules(2, 30_000, 500_000_000),
  IDR: rules(0, 15_000, 300_000_000),
  ILS: rules(2, 300, 7_000_000),
  INR: rules(2, 10_000, 170_000_000),
  ISK: rules(0, 100, 2_700_000),
  JOD: rules(3, 500, 15_000_000),
  JPY: rules(0, 100, 3_000_000),
  KES: rules(2, 10_000, 250_000_000),
  KRW: rules(0, 1_000, 30_000_000),
  KWD: rules(3, 300, 6_000_000),
  MAD: rules(2, 1_000, 20_000_000),
  MXN: rules(2, 1_500, 40_000_000),
  MYR: rules(2, 500, 9_000_000),
  NOK: rules(2, 1_000, 20_000_000),
  NZD: rules(2, 100, 3_500_000),
  OMR: rules(3, 300, 7_500_000),
  PEN: rules(2, 300, 7_500_000),
  PHP: rules(2, 5_000, 110_000_000),
  PLN: rules(2, 300, 8_000_000),
  QAR: rules(2, 300, 7_500_000),
  RON: rules(2, 500, 9_000_000),
  SAR: rules(2, 300, 7_500_000),
  SEK: rules(2, 1_000, 20_000_000),
  SGD: rules(2, 100, 2_500_000),
  THB: rules(2, 3_000, 70_000_000),
  TRY: rules(2, 3_000, 80_000_000),
  TWD: rules(2, 3_000, 60_000_000),
  USD: rules(2, 100, 2_000_000),
  VND: rules(0, 25_000, 500_000_000),
  ZAR: rules(2, 1_500, 35_000_000),
};

export function currencyRules(code: string): CurrencyRules | undefined {
  return Object.hasOwn(CURRENCIES, code) ? CURRENCIES[code] : undefined;
}

export const isSupportedCurrency = (code: string): boolean => currencyRules(code) !== undefined;

/** True for a three-letter code the runtime knows as an ISO 4217 currency. */
export function isKnownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  return Intl.supportedValuesOf("currency").includes(code);
}

/** The widest limits over every supported currency: what holds when the currency is not known yet. */
export const ANY_CURRENCY_LIMITS = {
  nightlyPriceMin: Math.min(...Object.values(CURRENCIES).map((c) => c.nightlyPriceMin)),
  nightlyPriceMax: Math.max(...Object.values(CURRENCIES).map((c) => c.nightlyPriceMax)),
} as const;

const formatters = new Map<string, Intl.NumberFormat>();

/** Digits after the decimal point of the currency's minor unit (2 for EUR, 0 for JPY and IDR). */
export function minorUnitDigits(currency: string): number {
  const known = currencyRules(currency);
  if (known) return known.exponent;
  // Rows from before the currency table: the runtime's idea of the currency.
  return (
    new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
    2
  );
}

export function formatMoney(amount: number, currency: string): string {
  let format = formatters.get(currency);
  if (!format) {
    // The digits are ours, not the runtime's: ICU versions disagree on some (IDR, HUF).
    const digits = minorUnitDigits(currency);
    format = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(currency, format);
  }
  return format.format(amount / 10 ** minorUnitDigits(currency));
}

export interface Money {
  amount: number;
  currency: string;
}

export const money = (amount: number, currency: string): Money => ({ amount, currency });

/**
 * Where a listing's prices break its currency's limits: nightlyPrice within [min, max],
 * cleaningFee within [0, max]. Absent amounts are not checked. With no supported currency
 * (not given yet, or refused on its own) the widest limits of any currency apply.
 * `prefix` goes before each path ("ranges.2." for a calendar range).
 */
export function nightlyPriceIssues(
  currency: string | null | undefined,
  amounts: { nightlyPrice?: number | null; cleaningFee?: number | null },
  prefix = "",
): FieldError[] {
  const known = currency ? currencyRules(currency) : undefined;
  const { nightlyPriceMin: min, nightlyPriceMax: max } = known ?? ANY_CURRENCY_LIMITS;
  const inCurrency = (limit: number) =>
    known && currency ? ` for ${currency} (${formatMoney(limit, currency)})` : "";
  const issues: FieldError[] = [];
  const refuse = (field: string, message: string) => issues.push({ path: `${prefix}${field}`, message });
  const { nightlyPrice, cleaningFee } = amounts;
  if (nightlyPrice != null && nightlyPrice < min)
    refuse("nightlyPrice", `must be at least ${min}${inCurrency(min)}`);
  else if (nightlyPrice != null && nightlyPrice > max)
    refuse("nightlyPrice", `must be at most ${max}${inCurrency(max)}`);
  if (cleaningFee != null && cleaningFee < 0) refuse("cleaningFee", "must be at least 0");
  else if (cleaningFee != null && cleaningFee > max)
    refuse("cleaningFee", `must be at most ${max}${inCurrency(max)}`);
  return issues;
}
