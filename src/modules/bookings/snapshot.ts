// What a booking stores of what the guest saw and agreed to: the quote's lines and amounts, the
// fee rates, the cancellation policy and the listing's local times. Refunds, payouts and the
// stay's deadlines read this snapshot, never today's listing (a host may change any of it later).
import type { CancellationPolicy } from "../../generated/prisma/enums.ts";
import type { QuoteLine, StayQuote } from "../pricing/quote.ts";

export const SNAPSHOT_VERSION = 1;

export interface BookingSnapshotV1 {
  version: 1;
  /** The stay, as YYYY-MM-DD; [checkIn, checkOut). */
  checkIn: string;
  checkOut: string;
  /** The quote as shown (its own copy of StayQuote's shape: a stored format changes only with a new version). */
  quote: {
    currency: string;
    nights: number;
    /** Each night's price before any discount, in stay order; they sum to subtotal. */
    nightPrices: number[];
    subtotal: number;
    discount: number;
    discountPercent: number;
    cleaningFee: number;
    serviceFee: number;
    taxes: number;
    total: number;
    lines: QuoteLine[];
  };
  /** Rates in basis points, as configured when the booking was made. */
  fees: { serviceFeeBps: number; taxBps: number; hostFeeBps: number };
  cancellationPolicy: CancellationPolicy;
  listing: {
    title: string;
    /** IANA zone: deadlines are measured at local check-in and check-out times there. */
    timeZone: string;
    /** Local wall-clock "HH:MM". */
    checkInTime: string;
    checkOutTime: string;
  };
}

export type BookingSnapshot = BookingSnapshotV1;

/** Reads a stored snapshot; throws on a shape this code does not know (a defect, not user input). */
export function readSnapshot(stored: unknown): BookingSnapshot {
  const value = stored as Partial<BookingSnapshot> | null;
  if (!value || value.version !== SNAPSHOT_VERSION || !value.quote || !value.listing || !value.fees) {
    throw new TypeError(`unknown booking snapshot (version ${String(value?.version)})`);
  }
  return value as BookingSnapshot;
}

/** The snapshot of a stay as quoted now at this listing. */
export function takeSnapshot(
  listing: {
    title: string;
    timeZone: string;
    checkInTime: string;
    checkOutTime: string;
    cancellationPolicy: CancellationPolicy;
  },
  quote: StayQuote,
  stay: { checkIn: string; checkOut: string },
  fees: BookingSnapshot["fees"],
): BookingSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    checkIn: stay.checkIn,
    checkOut: stay.checkOut,
    quote: {
      currency: quote.currency,
      nights: quote.nights,
      nightPrices: [...quote.nightPrices],
      subtotal: quote.subtotal,
      discount: quote.discount,
      discountPercent: quote.discountPercent,
      cleaningFee: quote.cleaningFee,
      serviceFee: quote.serviceFee,
      taxes: quote.taxes,
      total: quote.total,
      lines: quote.lines.map((line) => ({ ...line })),
    },
    fees: { ...fees },
    cancellationPolicy: listing.cancellationPolicy,
    listing: {
      title: listing.title,
      timeZone: listing.timeZone,
      checkInTime: listing.checkInTime,
      checkOutTime: listing.checkOutTime,
    },
  };
}
