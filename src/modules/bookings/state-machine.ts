// The booking state machine of contract section 6, pure: which action moves a booking from
// which state to which, and who may take it. Services ask it before they write; the database's
// hold trigger and exclusion constraint keep the nights consistent with whatever it allows.
import { AppError } from "../../core/errors.ts";
import type { BookingStatus } from "../../generated/prisma/enums.ts";

export type BookingAction = "request" | "accept" | "decline" | "cancel" | "expire" | "complete";
/** Who acts, relative to the booking: its guest, the listing's host, an admin, the system (jobs), anyone else. */
export type BookingParty = "GUEST" | "HOST" | "ADMIN" | "SYSTEM" | "OTHER";
export type TransitionResult =
  { ok: true; to: BookingStatus } | { ok: false; code: "INVALID_STATE" | "FORBIDDEN"; message: string };

/** The statuses that hold the booking's nights on the listing's calendar. */
export const LIVE_STATUSES: readonly BookingStatus[] = Object.freeze(["PENDING", "CONFIRMED"] as const);

interface Rule {
  /** The only parties that may ever take the action; anyone else is FORBIDDEN in every state. */
  parties: readonly BookingParty[];
  /** The states the action starts from; null: no booking yet. */
  from: readonly (BookingStatus | null)[];
  to: (instantBook: boolean) => BookingStatus;
  /** Said to a party outside `parties`. */
  forbidden: string;
}

// For "request" the requester is the would-be guest: the service passes GUEST, or HOST when the
// requester hosts the listing (a host cannot book their own listing). Admins and jobs never book.
const rules: Record<BookingAction, Rule> = {
  request: {
    parties: ["GUEST"],
    from: [null],
    to: (instantBook) => (instantBook ? "CONFIRMED" : "PENDING"),
    forbidden: "Only a guest can request a booking; a host cannot book their own listing",
  },
  accept: {
    parties: ["HOST"],
    from: ["PENDING"],
    to: () => "CONFIRMED",
    forbidden: "Only the listing's host can accept a booking",
  },
  decline: {
    parties: ["HOST"],
    from: ["PENDING"],
    to: () => "DECLINED",
    forbidden: "Only the listing's host can decline a booking",
  },
  // CONFIRMED → CANCELLED also covers a cancellation during the stay (refunds decide the money).
  cancel: {
    parties: ["GUEST", "HOST", "ADMIN"],
    from: ["PENDING", "CONFIRMED"],
    to: () => "CANCELLED",
    forbidden: "Only the booking's guest, the listing's host or an admin can cancel a booking",
  },
  expire: {
    parties: ["SYSTEM"],
    from: ["PENDING"],
    to: () => "EXPIRED",
    forbidden: "Only the system expires a booking",
  },
  complete: {
    parties: ["SYSTEM"],
    from: ["CONFIRMED"],
    to: () => "COMPLETED",
    forbidden: "Only the system completes a booking",
  },
};

function wrongState(from: BookingStatus | null, action: BookingAction): string {
  if (from === null) return `There is no booking to ${action}`;
  if (action === "request") return "This booking has already been requested";
  return `A ${from} booking cannot be ${action === "cancel" ? "cancelled" : `${action}d`}`;
}

/**
 * The state `action` by `by` leads to from `from` (null for "request": no booking yet). A party
 * that may never take the action is FORBIDDEN whatever the state; an allowed party in a state the
 * action does not start from gets INVALID_STATE. Terminal states (DECLINED, EXPIRED, CANCELLED,
 * COMPLETED) start no action.
 */
export function transition(
  from: BookingStatus | null,
  action: BookingAction,
  by: BookingParty,
  options: { instantBook?: boolean } = {},
): TransitionResult {
  const rule = rules[action];
  if (!rule.parties.includes(by)) return { ok: false, code: "FORBIDDEN", message: rule.forbidden };
  if (!rule.from.includes(from)) {
    return { ok: false, code: "INVALID_STATE", message: wrongState(from, action) };
  }
  return { ok: true, to: rule.to(options.instantBook ?? false) };
}

/** Convenience: the target state or throws AppError with the result's code (src/core/errors.ts). */
export function nextStatus(
  from: BookingStatus | null,
  action: BookingAction,
  by: BookingParty,
  options: { instantBook?: boolean } = {},
): BookingStatus {
  const result = transition(from, action, by, options);
  if (!result.ok) throw new AppError(result.code, result.message);
  return result.to;
}
