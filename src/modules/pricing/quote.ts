// The price of a stay, from nights to total, in integer minor units. The one pricing rule
// used by `quote` and by bookings; search, which must filter and order every match by the total,
// runs the same rule in SQL (stay-total-sql.ts), held equal to this one by a property test.
//
// Rounding: every derived amount (discount, service fee, taxes) is rounded once, half up,
// to a whole minor unit; the total is the sum of the lines, so lines always add up exactly.
// Arithmetic is in bigint, and a stay with any amount past what one Money carries is refused
// (AmountTooLargeError), so no input can overflow or lose precision on the way to the API.
import { MAX_MONEY_AMOUNT } from "./money.ts";

export type QuoteLineKind = "NIGHTS" | "DISCOUNT" | "CLEANING_FEE" | "SERVICE_FEE" | "TAXES";

export interface QuoteLine {
  kind: QuoteLineKind;
  label: string;
  /** Negative for the discount line. */
  amount: number;
}

export interface StayQuote {
  currency: string;
  nights: number;
  /** Each night's price before any discount, in stay order (bookings keep them for refunds). */
  nightPrices: number[];
  /** Sum of the nights' prices, before any discount. */
  subtotal: number;
  /** Non-negative; shown as a negative line. */
  discount: number;
  discountPercent: number;
  cleaningFee: number;
  serviceFee: number;
  taxes: number;
  total: number;
  lines: QuoteLine[];
}

export interface StayPricingInput {
  currency: string;
  /** Each night's price (custom price for that date, else the base price). */
  nightPrices: readonly number[];
  cleaningFee: number;
  weeklyDiscountPercent: number;
  monthlyDiscountPercent: number;
  /** Guest service fee, in basis points of the subtotal (1400 = 14%). */
  serviceFeeBps: number;
  /** Taxes, in basis points of the discounted stay plus fees. */
  taxBps: number;
}

export const WEEKLY_NIGHTS = 7;
export const MONTHLY_NIGHTS = 28;

/** A stay some amount of which (a line, a subtotal, the total) is past MAX_MONEY_AMOUNT. */
export class AmountTooLargeError extends RangeError {
  override readonly name = "AmountTooLargeError";
  constructor(readonly amount: bigint) {
    super(`an amount of ${amount} minor units is more than one Money carries (${MAX_MONEY_AMOUNT})`);
  }
}

/** numerator / denominator rounded half up, for non-negative integers. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/** The length-of-stay discount that applies: monthly from 28 nights, else weekly from 7. */
export function discountPercentFor(nights: number, weekly: number, monthly: number): number {
  if (nights >= MONTHLY_NIGHTS && monthly > 0) return monthly;
  return nights >= WEEKLY_NIGHTS ? weekly : 0;
}

/** The amount as a number once it is known to fit one Money. */
function fitting(amount: bigint): number {
  if (amount > BigInt(MAX_MONEY_AMOUNT)) throw new AmountTooLargeError(amount);
  return Number(amount);
}

/** Throws AmountTooLargeError when any amount of the quote is past MAX_MONEY_AMOUNT. */
export function quoteStay(input: StayPricingInput): StayQuote {
  const nights = input.nightPrices.length;
  if (nights === 0) throw new RangeError("a stay has at least one night");
  const subtotal = input.nightPrices.reduce((sum, price) => sum + BigInt(price), 0n);
  const cleaningFee = BigInt(input.cleaningFee);
  const discountPercent = discountPercentFor(
    nights,
    input.weeklyDiscountPercent,
    input.monthlyDiscountPercent,
  );
  const discount = divideRoundHalfUp(subtotal * BigInt(discountPercent), 100n);
  const serviceFee = divideRoundHalfUp(subtotal * BigInt(input.serviceFeeBps), 10_000n);
  const taxable = subtotal - discount + cleaningFee + serviceFee;
  const taxes = divideRoundHalfUp(taxable * BigInt(input.taxBps), 10_000n);
  const total = taxable + taxes;

  const amounts = {
    subtotal: fitting(subtotal),
    discount: fitting(discount),
    cleaningFee: fitting(cleaningFee),
    serviceFee: fitting(serviceFee),
    taxes: fitting(taxes),
    total: fitting(total),
  };
  const lines: QuoteLine[] = [
    { kind: "NIGHTS", label: `${nights} ${nights === 1 ? "night" : "nights"}`, amount: amounts.subtotal },
  ];
  if (amounts.discount > 0) {
    const kind = nights >= MONTHLY_NIGHTS && input.monthlyDiscountPercent > 0 ? "Monthly" : "Weekly";
    lines.push({
      kind: "DISCOUNT",
      label: `${kind} stay discount (${discountPercent}%)`,
      amount: -amounts.discount,
    });
  }
  if (amounts.cleaningFee > 0)
    lines.push({ kind: "CLEANING_FEE", label: "Cleaning fee", amount: amounts.cleaningFee });
  if (amounts.serviceFee > 0)
    lines.push({ kind: "SERVICE_FEE", label: "Service fee", amount: amounts.serviceFee });
  if (amounts.taxes > 0) lines.push({ kind: "TAXES", label: "Taxes", amount: amounts.taxes });

  return {
    currency: input.currency,
    nights,
    nightPrices: [...input.nightPrices],
    discountPercent,
    ...amounts,
    lines,
  };
}
