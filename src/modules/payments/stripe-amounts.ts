// Amounts at the Stripe edge: Stripe counts minor units like we do, but not always the same ones.
import { minorUnitDigits } from "../pricing/money.ts";

// Stripe's decimal digits per currency (docs.stripe.com/currencies): two unless listed here.
// prettier-ignore
const STRIPE_ZERO_DECIMAL = new Set([
  "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
]);
const STRIPE_THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

const stripeDigits = (code: string): number =>
  STRIPE_ZERO_DECIMAL.has(code) ? 0 : STRIPE_THREE_DECIMAL.has(code) ? 3 : 2;

/**
 * Our minor units → Stripe's. The same number for most currencies; ×100 where Roost counts whole
 * units and Stripe two decimals: IDR (pricing/money.ts explains our exponent 0) and ISK (Stripe
 * kept it two-decimal, in multiples of 100). Throws where Stripe cannot take the amount: its
 * three-decimal currencies (KWD, BHD...) must end in 0.
 */
export function toStripeAmount(amount: number, currency: string): number {
  const code = currency.toUpperCase();
  const shift = stripeDigits(code) - minorUnitDigits(code);
  if (shift < 0 && amount % 10 ** -shift !== 0) {
    throw new RangeError(`${amount} ${code} has more decimals than Stripe takes`);
  }
  const converted = shift >= 0 ? amount * 10 ** shift : amount / 10 ** -shift;
  if (stripeDigits(code) === 3 && converted % 10 !== 0) {
    throw new RangeError(`Stripe takes ${code} amounts in multiples of 10 (got ${amount})`);
  }
  return converted;
}

/** Stripe's minor units → ours; a fraction of our unit (a refund made in Stripe's dashboard) rounds half up. */
export function fromStripeAmount(amount: number, currency: string): number {
  const code = currency.toUpperCase();
  const shift = stripeDigits(code) - minorUnitDigits(code);
  return shift > 0 ? Math.round(amount / 10 ** shift) : amount * 10 ** -shift;
}
