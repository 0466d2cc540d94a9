// The booking state machine: every (state, action, party) triple against a table written out by hand.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/core/errors.ts";
import type { BookingStatus } from "../../../src/generated/prisma/enums.ts";
import {
  type BookingAction,
  type BookingParty,
  LIVE_STATUSES,
  nextStatus,
  transition,
} from "../../../src/modules/bookings/state-machine.ts";

const states: readonly (BookingStatus | null)[] = [
  null,
  "PENDING",
  "CONFIRMED",
  "DECLINED",
  "EXPIRED",
  "CANCELLED",
  "COMPLETED",
];
const actions: readonly BookingAction[] = ["request", "accept", "decline", "cancel", "expire", "complete"];
const parties: readonly BookingParty[] = ["GUEST", "HOST", "ADMIN", "SYSTEM", "OTHER"];

/** A target state, or the code of the refusal. */
type Outcome = BookingStatus | "INVALID_STATE" | "FORBIDDEN";
const F = "FORBIDDEN";
const I = "INVALID_STATE";

// Without instant book. Columns: GUEST, HOST, ADMIN, SYSTEM, OTHER.
const expected: ReadonlyArray<
  [BookingStatus | null, BookingAction, Outcome, Outcome, Outcome, Outcome, Outcome]
> = [
  [null, "request", "PENDING", F, F, F, F],
  [null, "accept", F, I, F, F, F],
  [null, "decline", F, I, F, F, F],
  [null, "cancel", I, I, I, F, F],
  [null, "expire", F, F, F, I, F],
  [null, "complete", F, F, F, I, F],

  ["PENDING", "request", I, F, F, F, F],
  ["PENDING", "accept", F, "CONFIRMED", F, F, F],
  ["PENDING", "decline", F, "DECLINED", F, F, F],
  ["PENDING", "cancel", "CANCELLED", "CANCELLED", "CANCELLED", F, F],
  ["PENDING", "expire", F, F, F, "EXPIRED", F],
  ["PENDING", "complete", F, F, F, I, F],

  ["CONFIRMED", "request", I, F, F, F, F],
  ["CONFIRMED", "accept", F, I, F, F, F],
  ["CONFIRMED", "decline", F, I, F, F, F],
  ["CONFIRMED", "cancel", "CANCELLED", "CANCELLED", "CANCELLED", F, F],
  ["CONFIRMED", "expire", F, F, F, I, F],
  ["CONFIRMED", "complete", F, F, F, "COMPLETED", F],

  ["DECLINED", "request", I, F, F, F, F],
  ["DECLINED", "accept", F, I, F, F, F],
  ["DECLINED", "decline", F, I, F, F, F],
  ["DECLINED", "cancel", I, I, I, F, F],
  ["DECLINED", "expire", F, F, F, I, F],
  ["DECLINED", "complete", F, F, F, I, F],

  ["EXPIRED", "request", I, F, F, F, F],
  ["EXPIRED", "accept", F, I, F, F, F],
  ["EXPIRED", "decline", F, I, F, F, F],
  ["EXPIRED", "cancel", I, I, I, F, F],
  ["EXPIRED", "expire", F, F, F, I, F],
  ["EXPIRED", "complete", F, F, F, I, F],

  ["CANCELLED", "request", I, F, F, F, F],
  ["CANCELLED", "accept", F, I, F, F, F],
  ["CANCELLED", "decline", F, I, F, F, F],
  ["CANCELLED", "cancel", I, I, I, F, F],
  ["CANCELLED", "expire", F, F, F, I, F],
  ["CANCELLED", "complete", F, F, F, I, F],

  ["COMPLETED", "request", I, F, F, F, F],
  ["COMPLETED", "accept", F, I, F, F, F],
  ["COMPLETED", "decline", F, I, F, F, F],
  ["COMPLETED", "cancel", I, I, I, F, F],
  ["COMPLETED", "expire", F, F, F, I, F],
  ["COMPLETED", "complete", F, F, F, I, F],
];

// With instant book, only "request" from no booking differs: the guest's request is confirmed at once.
const instantBookChanges: ReadonlyArray<[BookingStatus | null, BookingAction, BookingParty, Outcome]> = [
  [null, "request", "GUEST", "CONFIRMED"],
];

const key = (from: BookingStatus | null, action: BookingAction, by: BookingParty) =>
  `${from ?? "null"} ${action} ${by}`;

function expectedTable(instantBook: boolean): Map<string, Outcome> {
  const table = new Map<string, Outcome>();
  for (const [from, action, ...outcomes] of expected) {
    parties.forEach((by, column) => table.set(key(from, action, by), outcomes[column] as Outcome));
  }
  if (instantBook) {
    for (const [from, action, by, outcome] of instantBookChanges) table.set(key(from, action, by), outcome);
  }
  return table;
}

const triples = states.flatMap((from) =>
  actions.flatMap((action) => parties.map((by) => [from, action, by] as const)),
);

const outcomeOf = (
  from: BookingStatus | null,
  action: BookingAction,
  by: BookingParty,
  instantBook: boolean,
) => {
  const result = transition(from, action, by, { instantBook });
  return result.ok ? result.to : result.code;
};

describe("booking state machine", () => {
  it("has one written-out row for each (state, action) pair", () => {
    expect(triples).toHaveLength(7 * 6 * 5);
    const rows = expected.map(([from, action]) => `${from ?? "null"} ${action}`);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows).toHaveLength(states.length * actions.length);
  });

  describe.each([false, true])("instantBook: %s", (instantBook) => {
    const table = expectedTable(instantBook);
    it.each(triples)("%s %s by %s", (from, action, by) => {
      expect(outcomeOf(from, action, by, instantBook)).toBe(table.get(key(from, action, by)));
    });
  });

  it("treats missing options as no instant book", () => {
    expect(transition(null, "request", "GUEST")).toEqual({ ok: true, to: "PENDING" });
  });

  it("explains each refusal in a message", () => {
    for (const [from, action, by] of triples) {
      const result = transition(from, action, by);
      if (!result.ok) expect(result.message, key(from, action, by)).toMatch(/\w{3,}/);
    }
    expect(transition("CANCELLED", "cancel", "GUEST")).toMatchObject({
      message: "A CANCELLED booking cannot be cancelled",
    });
  });

  it("nextStatus returns the target state or throws an AppError with the refusal's code", () => {
    expect(nextStatus("PENDING", "accept", "HOST")).toBe("CONFIRMED");
    expect(nextStatus(null, "request", "GUEST", { instantBook: true })).toBe("CONFIRMED");
    const refusals: ReadonlyArray<[BookingStatus | null, BookingAction, BookingParty, string]> = [
      ["PENDING", "accept", "GUEST", "FORBIDDEN"],
      [null, "request", "HOST", "FORBIDDEN"],
      ["DECLINED", "cancel", "GUEST", "INVALID_STATE"],
      ["CONFIRMED", "expire", "SYSTEM", "INVALID_STATE"],
    ];
    for (const [from, action, by, code] of refusals) {
      let thrown: unknown;
      try {
        nextStatus(from, action, by);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe(code);
      expect((thrown as AppError).status).toBe(code === "FORBIDDEN" ? 403 : 409);
    }
  });

  it("holds nights only in PENDING and CONFIRMED", () => {
    expect([...LIVE_STATUSES]).toEqual(["PENDING", "CONFIRMED"]);
  });
});
