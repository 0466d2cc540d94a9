// Cancellation refunds, pure, over the booking's snapshot (the policy, prices and local times the
// guest agreed to, never today's listing): what goes back to the guest, line by line, and what
// the host keeps. Services move the money; this decides the amounts.
//
// Time: deadlines are measured against the check-in instant, the listing's local check-in time
// on the check-in date in the listing's zone. "N h" is elapsed time (24 h, 48 h); "N days before
// check-in" is the same local check-in time N calendar days earlier, so a DST change in between
// moves it by an hour against elapsed time. "Until X" means strictly before X.
//
// Money: bigint inside, each derived amount rounded half up once (as the quote rounds).
import {
  addDays,
  type CalendarDate,
  nightsBetween,
  parseCalendarDate,
  zonedInstant,
} from "../../core/calendar-date.ts";
import { divideRoundHalfUp } from "../pricing/quote.ts";
import type { BookingSnapshot } from "./snapshot.ts";

/** Minor units, each >= 0; total = nights + cleaningFee + serviceFee + taxes. */
export interface RefundBreakdown {
  nights: number;
  cleaningFee: number;
  serviceFee: number;
  taxes: number;
  total: number;
}

export interface Cancellation {
  by: "GUEST" | "HOST" | "ADMIN";
  at: Date;
  bookedAt: Date;
}

const HOUR_MS = 3_600_000;

/** Refunded nights: those from `fromNight` (0-based, in stay order) to the last, whole or half. */
interface NightsRefund {
  fromNight: number;
  half: boolean;
}

function stayDate(snapshot: BookingSnapshot, field: "checkIn" | "checkOut"): CalendarDate {
  const date = parseCalendarDate(snapshot[field]);
  if (!date) throw new TypeError(`booking snapshot has a bad ${field}: ${JSON.stringify(snapshot[field])}`);
  return date;
}

/** The instant of local check-in / check-out of the snapshot's stay (zonedInstant of the listing's times). */
export function checkInInstant(snapshot: BookingSnapshot): Date {
  return zonedInstant(stayDate(snapshot, "checkIn"), snapshot.listing.checkInTime, snapshot.listing.timeZone);
}

export function checkOutInstant(snapshot: BookingSnapshot): Date {
  return zonedInstant(
    stayDate(snapshot, "checkOut"),
    snapshot.listing.checkOutTime,
    snapshot.listing.timeZone,
  );
}

/** The listing's local check-in time on the check-in date plus `daysFromCheckIn` (−5: five days before). */
function localCheckInTime(snapshot: BookingSnapshot, daysFromCheckIn: number): Date {
  const date = addDays(stayDate(snapshot, "checkIn"), daysFromCheckIn);
  return zonedInstant(date, snapshot.listing.checkInTime, snapshot.listing.timeZone);
}

/**
 * The index of the first night not yet stayed at `at`. Night i (0-based) is the night of
 * checkIn + i days; it begins at the listing's local check-in time on that date, and a night that
 * has begun counts as stayed. So with check-in at 15:00, cancelling at 10:00 local on the third
 * day of the stay leaves nights 2.. (the third day's night on) not yet stayed; at 15:00 that day
 * night 2 has begun. Before check-in this is 0; from the last night's start on, the night count.
 */
function firstNightNotStayed(snapshot: BookingSnapshot, at: Date): number {
  const nights = snapshot.quote.nightPrices.length;
  for (let night = 0; night < nights; night++) {
    if (at < localCheckInTime(snapshot, night)) return night;
  }
  return nights;
}

/** What a guest's cancellation refunds of the nights under the snapshot's policy. */
function guestNightsRefund(snapshot: BookingSnapshot, at: Date, bookedAt: Date): NightsRefund {
  const all: NightsRefund = { fromNight: 0, half: false };
  const checkIn = checkInInstant(snapshot).getTime();
  const notStayed = firstNightNotStayed(snapshot, at);
  const policy = snapshot.cancellationPolicy;
  switch (policy) {
    case "FLEXIBLE":
      if (at.getTime() < checkIn - 24 * HOUR_MS) return all;
      // All nights but the first, and never one already stayed.
      return { fromNight: Math.max(1, notStayed), half: false };
    case "MODERATE":
      if (at < localCheckInTime(snapshot, -5)) return all;
      return { fromNight: notStayed, half: true };
    case "STRICT": {
      const bookedEarly = bookedAt <= localCheckInTime(snapshot, -14);
      if (bookedEarly && at.getTime() < bookedAt.getTime() + 48 * HOUR_MS) return all;
      // Before the 7-day deadline no night has begun, so "half" is half of every night.
      if (at < localCheckInTime(snapshot, -7)) return { fromNight: notStayed, half: true };
      return { fromNight: snapshot.quote.nightPrices.length, half: false };
    }
    default: {
      const unknown: never = policy;
      throw new TypeError(`unknown cancellation policy ${String(unknown)}`);
    }
  }
}

/** A snapshot whose amounts do not add up is a defect; refunds must never be computed over one. */
function checkedAmounts(snapshot: BookingSnapshot) {
  const q = snapshot.quote;
  const prices = q.nightPrices.map(BigInt);
  const amounts = {
    subtotal: BigInt(q.subtotal),
    discount: BigInt(q.discount),
    cleaningFee: BigInt(q.cleaningFee),
    serviceFee: BigInt(q.serviceFee),
    taxes: BigInt(q.taxes),
    total: BigInt(q.total),
  };
  const net = amounts.subtotal - amounts.discount;
  const consistent =
    prices.length === q.nights &&
    prices.length === nightsBetween(stayDate(snapshot, "checkIn"), stayDate(snapshot, "checkOut")) &&
    prices.every((price) => price >= 0n) &&
    prices.reduce((sum, price) => sum + price, 0n) === amounts.subtotal &&
    Object.values(amounts).every((amount) => amount >= 0n) &&
    net >= 0n &&
    net + amounts.cleaningFee + amounts.serviceFee + amounts.taxes === amounts.total;
  if (!consistent) throw new TypeError("booking snapshot amounts do not add up");
  return { ...amounts, prices, net };
}

const breakdown = (
  nights: bigint,
  cleaningFee: bigint,
  serviceFee: bigint,
  taxes: bigint,
): RefundBreakdown => ({
  nights: Number(nights),
  cleaningFee: Number(cleaningFee),
  serviceFee: Number(serviceFee),
  taxes: Number(taxes),
  total: Number(nights + cleaningFee + serviceFee + taxes),
});

/**
 * The refund for a cancellation. HOST or ADMIN: everything. GUEST: the policy's nights (their
 * prices scaled by the discount, (subtotal − discount) / subtotal, rounded once, halved inside the
 * same rounding); the cleaning fee if the stay has not started; the service fee only with every
 * night refunded in full; taxes in full with a full refund, else in proportion to what of the
 * taxed amount (nights after discount, cleaning, service fee) is refunded.
 */
export function refundFor(snapshot: BookingSnapshot, cancellation: Cancellation): RefundBreakdown {
  const amounts = checkedAmounts(snapshot);
  if (cancellation.by !== "GUEST") {
    return breakdown(amounts.net, amounts.cleaningFee, amounts.serviceFee, amounts.taxes);
  }
  const refund = guestNightsRefund(snapshot, cancellation.at, cancellation.bookedAt);
  const full = refund.fromNight === 0 && !refund.half;
  const refundedPrices = amounts.prices.slice(refund.fromNight).reduce((sum, price) => sum + price, 0n);
  // refundedPrices = subtotal (every night) makes this exactly subtotal − discount (or its half).
  const nights =
    amounts.subtotal === 0n
      ? 0n
      : divideRoundHalfUp(refundedPrices * amounts.net, amounts.subtotal * (refund.half ? 2n : 1n));
  const cleaningFee = cancellation.at < checkInInstant(snapshot) ? amounts.cleaningFee : 0n;
  const serviceFee = full ? amounts.serviceFee : 0n;
  // Every full-refund deadline lies before check-in, so a full refund of nights refunds every
  // taxed amount, and the proportion below is exactly 1: all the taxes, with no rounding.
  const taxed = amounts.net + amounts.cleaningFee + amounts.serviceFee;
  const proportional =
    taxed === 0n ? 0n : divideRoundHalfUp(amounts.taxes * (nights + cleaningFee + serviceFee), taxed);
  const taxes = proportional < amounts.taxes ? proportional : amounts.taxes;
  return breakdown(nights, cleaningFee, serviceFee, taxes);
}

/** The host's share kept after a refund: nights (after discount) + cleaning fee, minus what was refunded of them. */
export function hostShareAfter(
  snapshot: BookingSnapshot,
  refunded: Pick<RefundBreakdown, "nights" | "cleaningFee">,
): number {
  const amounts = checkedAmounts(snapshot);
  const nights = BigInt(refunded.nights);
  const cleaningFee = BigInt(refunded.cleaningFee);
  if (nights < 0n || nights > amounts.net || cleaningFee < 0n || cleaningFee > amounts.cleaningFee) {
    throw new RangeError("refunded more of the nights or cleaning fee than the booking holds");
  }
  return Number(amounts.net - nights + amounts.cleaningFee - cleaningFee);
}
