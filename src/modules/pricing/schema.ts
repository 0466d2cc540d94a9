// Money in the schema: integer minor units, an ISO currency, and a formatted string; and the
// currencies listings may be priced in, with their minor units and price limits.
import { builder } from "../../graphql/builder.ts";
import { CURRENCIES, type CurrencyRules, formatMoney, MAX_MONEY_AMOUNT, type Money, money } from "./money.ts";

export const MoneyRef = builder.objectRef<Money>("Money").implement({
  description: "An amount in minor units (cents) of an ISO 4217 currency. No floats for money.",
  fields: (t) => ({
    amount: t.exposeInt("amount", {
      description: `Minor units (see \`currencies\` for each currency's exponent): 12345 EUR is €123.45; 12345 JPY is ¥12,345. At most ${MAX_MONEY_AMOUNT.toLocaleString("en-US")}: a stay whose total would pass it is refused.`,
    }),
    currency: t.exposeString("currency"),
    formatted: t.string({ resolve: (value) => formatMoney(value.amount, value.currency) }),
  }),
});

type CurrencyShape = CurrencyRules & { code: string };

const CurrencyRef = builder.objectRef<CurrencyShape>("Currency").implement({
  description: "A currency listings may be priced in: its minor unit and its limits for one night.",
  fields: (t) => ({
    code: t.exposeString("code", { description: "ISO 4217." }),
    exponent: t.exposeInt("exponent", {
      description:
        "Digits after the decimal point of the minor unit Money.amount counts: 2 for EUR, 0 for JPY, 3 for KWD. ISO 4217's, except IDR: whole rupiah (0).",
    }),
    nightlyPriceMin: t.field({
      type: MoneyRef,
      description: "The lowest nightly price (about one US dollar).",
      resolve: (currency) => money(currency.nightlyPriceMin, currency.code),
    }),
    nightlyPriceMax: t.field({
      type: MoneyRef,
      description: "The highest nightly price and cleaning fee (about USD 20,000).",
      resolve: (currency) => money(currency.nightlyPriceMax, currency.code),
    }),
  }),
});

builder.queryField("currencies", (t) =>
  t.field({
    type: [CurrencyRef],
    description: "The currencies a listing may be priced in, by code.",
    resolve: () =>
      Object.entries(CURRENCIES)
        .map(([code, rules]) => ({ code, ...rules }))
        .sort((a, b) => a.code.localeCompare(b.code)),
  }),
);
