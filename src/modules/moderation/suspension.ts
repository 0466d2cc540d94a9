// A listing's suspension, pure. A listing is SUSPENDED for one cause or two: an admin suspended it
// directly, or its host was suspended (and took every listing with them). Each cause is lifted on
// its own (reinstateListing, reinstateUser); the listing returns to the status it had before the
// first cause only when neither holds. A SUSPENDED row with neither flag (written before causes
// were kept) counts as suspended directly, with UNLISTED to return to.
import type { ListingStatus } from "../../generated/prisma/enums.ts";

export type SuspensionCause = "DIRECT" | "HOST";

export interface SuspensionState {
  status: ListingStatus;
  suspendedFrom: ListingStatus | null;
  suspendedDirectly: boolean;
  suspendedWithHost: boolean;
}

/** Where a listing suspended with no status remembered returns: out of search, for its host to republish. */
export const RETURN_STATUS_UNKNOWN: ListingStatus = "UNLISTED";

const flagOf = (cause: SuspensionCause) => (cause === "DIRECT" ? "suspendedDirectly" : "suspendedWithHost");

/** The state with a suspension's causes made explicit (see the header for rows with none). */
function normalized(state: SuspensionState): SuspensionState {
  const { status, suspendedFrom, suspendedDirectly, suspendedWithHost } = state;
  if (status !== "SUSPENDED") {
    return { status, suspendedFrom: null, suspendedDirectly: false, suspendedWithHost: false };
  }
  return {
    status,
    suspendedFrom,
    suspendedDirectly: suspendedDirectly || !suspendedWithHost,
    suspendedWithHost,
  };
}

export const isSuspendedFor = (state: SuspensionState, cause: SuspensionCause): boolean =>
  normalized(state)[flagOf(cause)];

/** The state once suspended for `cause`; null when it already is. */
export function suspended(state: SuspensionState, cause: SuspensionCause): SuspensionState | null {
  const current = normalized(state);
  if (current[flagOf(cause)]) return null;
  return {
    ...current,
    status: "SUSPENDED",
    suspendedFrom: current.status === "SUSPENDED" ? current.suspendedFrom : current.status,
    [flagOf(cause)]: true,
  };
}

/**
 * The state once `cause` is lifted; null when the listing is not suspended for it. Still
 * SUSPENDED while the other cause holds, else back to the status it had before.
 */
export function lifted(state: SuspensionState, cause: SuspensionCause): SuspensionState | null {
  const current = normalized(state);
  if (!current[flagOf(cause)]) return null;
  const next = { ...current, [flagOf(cause)]: false };
  if (next.suspendedDirectly || next.suspendedWithHost) return next;
  return {
    status: current.suspendedFrom ?? RETURN_STATUS_UNKNOWN,
    suspendedFrom: null,
    suspendedDirectly: false,
    suspendedWithHost: false,
  };
}
