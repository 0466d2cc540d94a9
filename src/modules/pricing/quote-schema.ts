// The quote in the schema: the `quote` query and the Quote type that bookings show too.
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { calendarDate } from "../listings/calendar.ts";
import { money } from "./money.ts";
import type { QuoteLine, QuoteLineKind, StayQuote } from "./quote.ts";
import { quoteForListing } from "./quote-service.ts";
import { MoneyRef } from "./schema.ts";

const lineKinds: Record<QuoteLineKind, { description: string }> = {
  NIGHTS: { description: "The nights' prices before any discount (the subtotal)." },
  DISCOUNT: { description: "The weekly or monthly stay discount, as a negative amount." },
  CLEANING_FEE: { description: "The listing's cleaning fee, once per stay." },
  SERVICE_FEE: { description: "Roost's guest service fee." },
  TAXES: { description: "Taxes on the discounted stay plus fees." },
};

const QuoteLineKindEnum = builder.enumType("QuoteLineKind", { values: lineKinds });

const QuoteLineRef = builder.objectRef<QuoteLine & { currency: string }>("QuoteLine").implement({
  fields: (t) => ({
    kind: t.expose("kind", { type: QuoteLineKindEnum }),
    label: t.exposeString("label"),
    amount: t.field({ type: MoneyRef, resolve: (line) => money(line.amount, line.currency) }),
  }),
});

/** A quote as computed now, or as stored with a booking (dates may come back as strings). */
export type QuoteShape = StayQuote & { checkIn: Date | string; checkOut: Date | string };

/** Resolves one of the quote's amounts as Money in the quote's currency. */
const moneyOf =
  (key: "subtotal" | "discount" | "cleaningFee" | "serviceFee" | "taxes" | "total") => (quote: QuoteShape) =>
    money(quote[key], quote.currency);

export const QuoteRef = builder.objectRef<QuoteShape>("Quote").implement({
  description:
    "The price of a stay, in minor units of the listing's currency. The lines sum exactly to total.",
  fields: (t) => ({
    nights: t.exposeInt("nights"),
    checkIn: t.expose("checkIn", { type: "Date" }),
    checkOut: t.expose("checkOut", { type: "Date" }),
    currency: t.exposeString("currency"),
    lines: t.field({
      type: [QuoteLineRef],
      resolve: (quote) => quote.lines.map((line) => ({ ...line, currency: quote.currency })),
    }),
    subtotal: t.field({
      type: MoneyRef,
      description: "The nights' prices before any discount.",
      resolve: moneyOf("subtotal"),
    }),
    discount: t.field({
      type: MoneyRef,
      description: "Non-negative; a negative DISCOUNT line.",
      resolve: moneyOf("discount"),
    }),
    discountPercent: t.exposeInt("discountPercent"),
    cleaningFee: t.field({ type: MoneyRef, resolve: moneyOf("cleaningFee") }),
    serviceFee: t.field({ type: MoneyRef, resolve: moneyOf("serviceFee") }),
    taxes: t.field({ type: MoneyRef, resolve: moneyOf("taxes") }),
    total: t.field({ type: MoneyRef, resolve: moneyOf("total") }),
  }),
});

const QuoteInput = builder.inputType("QuoteInput", {
  fields: (t) => ({
    listingId: t.id({ required: true }),
    checkIn: t.field({ type: "Date", required: true, description: "Not in the listing's past." }),
    checkOut: t.field({ type: "Date", required: true, description: "The morning the guest leaves." }),
    guests: t.int({ required: true, description: "1 up to the listing's maxGuests." }),
  }),
});

builder.queryField("quote", (t) =>
  t.field({
    type: QuoteRef,
    description:
      "Prices a stay. BAD_USER_INPUT names every broken rule (dates, guests, min/max nights, a total past what one Money.amount carries); DATES_UNAVAILABLE when a night is taken.",
    args: { input: t.arg({ type: QuoteInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      quoteForListing(
        ctx.actor,
        {
          listingId: decodeIdOf("Listing", input.listingId, "Listing"),
          checkIn: calendarDate(input.checkIn, "checkIn"),
          checkOut: calendarDate(input.checkOut, "checkOut"),
          guests: input.guests,
        },
        ctx.app,
      ),
  }),
);
