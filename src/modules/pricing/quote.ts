// The price of a stay, from nights to total, in integer minor units. The one pricing rule
// used by `quote`, by search's stayTotal and by bookings, so the three cannot disagree.
//
// Rounding: every derived amount (discount, service fee, taxes) is rounded once, half up,
// to a whole minor unit; the total is the sum of the lines, so lines always add up exactly.

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

/** numerator / denominator rounded half up, for non-negative integers. */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** The length-of-stay discount that applies: monthly from 28 nights, else weekly from 7. */
export function discountPercentFor(nights: number, weekly: number, monthly: number): number {
  if (nights >= MONTHLY_NIGHTS && monthly > 0) return monthly;
  if (nights >= WEEKLY_NIGHTS && weekly > 0) return weekly;
  return 0;
}

export function quoteStay(input: StayPricingInput): StayQuote {
  const nights = input.nightPrices.length;
  if (nights === 0) throw new RangeError("a stay has at least one night");
  const subtotal = input.nightPrices.reduce((sum, price) => sum + price, 0);
  const discountPercent = discountPercentFor(
    nights,
    input.weeklyDiscountPercent,
    input.monthlyDiscountPercent,
  );
  const discount = divideRoundHalfUp(subtotal * discountPercent, 100);
  const serviceFee = divideRoundHalfUp(subtotal * input.serviceFeeBps, 10_000);
  const taxable = subtotal - discount + input.cleaningFee + serviceFee;
  const taxes = divideRoundHalfUp(taxable * input.taxBps, 10_000);

  const lines: QuoteLine[] = [
    { kind: "NIGHTS", label: `${nights} ${nights === 1 ? "night" : "nights"}`, amount: subtotal },
  ];
  if (discount > 0) {
    const kind = nights >= MONTHLY_NIGHTS && input.monthlyDiscountPercent > 0 ? "Monthly" : "Weekly";
    lines.push({ kind: "DISCOUNT", label: `${kind} stay discount (${discountPercent}%)`, amount: -discount });
  }
  if (input.cleaningFee > 0)
    lines.push({ kind: "CLEANING_FEE", label: "Cleaning fee", amount: input.cleaningFee });
  if (serviceFee > 0) lines.push({ kind: "SERVICE_FEE", label: "Service fee", amount: serviceFee });
  if (taxes > 0) lines.push({ kind: "TAXES", label: "Taxes", amount: taxes });

  return {
    currency: input.currency,
    nights,
    subtotal,
    discount,
    discountPercent,
    cleaningFee: input.cleaningFee,
    serviceFee,
    taxes,
    total: lines.reduce((sum, line) => sum + line.amount, 0),
    lines,
  };
}
