// Money in the schema: integer minor units, an ISO currency, and a formatted string.
import { builder } from "../../graphql/builder.ts";
import { formatMoney, type Money } from "./money.ts";

export const MoneyRef = builder.objectRef<Money>("Money").implement({
  description: "An amount in minor units (cents) of an ISO 4217 currency. No floats for money.",
  fields: (t) => ({
    amount: t.exposeInt("amount", {
      description: "Minor units: 12345 EUR is €123.45; 12345 JPY is ¥12,345.",
    }),
    currency: t.exposeString("currency"),
    formatted: t.string({ resolve: (value) => formatMoney(value.amount, value.currency) }),
  }),
});
