// What is left to refund of a guest's payment, component by component (nights after discount,
// cleaning fee, service fee, taxes), pure: so that refunds of every kind (a cancellation's, an
// admin's, one made at the provider) together never return more of a component than was paid,
// and each refund's ledger journal debits the accounts that component was credited to.
import type { RefundBreakdown } from "../bookings/refund-policy.ts";
import type { BookingSnapshot } from "../bookings/snapshot.ts";

const COMPONENTS = ["nights", "cleaningFee", "serviceFee", "taxes"] as const;
type Component = (typeof COMPONENTS)[number];

function breakdownOf(parts: Record<Component, bigint>): RefundBreakdown {
  const total = COMPONENTS.reduce((sum, key) => sum + parts[key], 0n);
  return {
    nights: Number(parts.nights),
    cleaningFee: Number(parts.cleaningFee),
    serviceFee: Number(parts.serviceFee),
    taxes: Number(parts.taxes),
    total: Number(total),
  };
}

const partsOf = (breakdown: Partial<RefundBreakdown>): Record<Component, bigint> => ({
  nights: BigInt(breakdown.nights ?? 0),
  cleaningFee: BigInt(breakdown.cleaningFee ?? 0),
  serviceFee: BigInt(breakdown.serviceFee ?? 0),
  taxes: BigInt(breakdown.taxes ?? 0),
});

/** What the guest paid for the stay, as refund components. */
export function paidComponents(snapshot: BookingSnapshot): RefundBreakdown {
  const { subtotal, discount, cleaningFee, serviceFee, taxes } = snapshot.quote;
  return breakdownOf(partsOf({ nights: subtotal - discount, cleaningFee, serviceFee, taxes }));
}

/** What is left of each component once the given refunds (decided or paid) are taken out. */
export function remainingComponents(
  paid: RefundBreakdown,
  refunds: ReadonlyArray<Partial<RefundBreakdown>>,
): RefundBreakdown {
  const left = partsOf(paid);
  for (const refund of refunds) {
    const taken = partsOf(refund);
    for (const key of COMPONENTS) left[key] -= taken[key];
  }
  for (const key of COMPONENTS) if (left[key] < 0n) left[key] = 0n;
  return breakdownOf(left);
}

/** A decided refund (a cancellation policy's) limited to what is left of each component. */
export function capBreakdown(wanted: RefundBreakdown, remaining: RefundBreakdown): RefundBreakdown {
  const [want, left] = [partsOf(wanted), partsOf(remaining)];
  const capped = { ...want };
  for (const key of COMPONENTS) if (capped[key] > left[key]) capped[key] = left[key];
  for (const key of COMPONENTS) if (capped[key] < 0n) capped[key] = 0n;
  return breakdownOf(capped);
}

/**
 * Splits `amount` (0 < amount ≤ remaining.total) across what is left, in proportion to each
 * component (rounded down), the units rounding left over going to nights first, then cleaning,
 * service fee and taxes, each up to what is left of it. All of what is left returns exactly it.
 */
export function splitRefund(remaining: RefundBreakdown, amount: number): RefundBreakdown {
  const left = partsOf(remaining);
  const total = BigInt(remaining.total);
  const wanted = BigInt(amount);
  if (!Number.isSafeInteger(amount) || wanted <= 0n || wanted > total) {
    throw new RangeError(`cannot split ${amount} of a remaining ${remaining.total}`);
  }
  if (wanted === total) return breakdownOf(left);
  const share = {} as Record<Component, bigint>;
  let given = 0n;
  for (const key of COMPONENTS) {
    share[key] = (wanted * left[key]) / total;
    given += share[key];
  }
  let rest = wanted - given;
  for (const key of COMPONENTS) {
    const room = left[key] - share[key];
    const add = rest < room ? rest : room;
    share[key] += add;
    rest -= add;
  }
  return breakdownOf(share);
}
