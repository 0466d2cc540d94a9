// The listing suspension core, by table: each cause suspends and lifts on its own, and the status
// a listing returns to is the one it had before its first cause.
import { describe, expect, it } from "vitest";
import {
  isSuspendedFor,
  lifted,
  type SuspensionState,
  suspended,
} from "../../../src/modules/moderation/suspension.ts";

const state = (status: SuspensionState["status"], extra: Partial<SuspensionState> = {}): SuspensionState => ({
  status,
  suspendedFrom: null,
  suspendedDirectly: false,
  suspendedWithHost: false,
  ...extra,
});
const direct = (from: SuspensionState["status"]) =>
  state("SUSPENDED", { suspendedFrom: from, suspendedDirectly: true });
const withHost = (from: SuspensionState["status"]) =>
  state("SUSPENDED", { suspendedFrom: from, suspendedWithHost: true });
const both = (from: SuspensionState["suspendedFrom"]) =>
  state("SUSPENDED", { suspendedFrom: from, suspendedDirectly: true, suspendedWithHost: true });
/** As written before causes were kept. */
const legacy = state("SUSPENDED");

describe("suspended", () => {
  it.each([
    ["LISTED, directly", state("LISTED"), "DIRECT", direct("LISTED")],
    ["UNLISTED, directly", state("UNLISTED"), "DIRECT", direct("UNLISTED")],
    ["DRAFT, with its host", state("DRAFT"), "HOST", withHost("DRAFT")],
    ["suspended directly, with its host too", direct("UNLISTED"), "HOST", both("UNLISTED")],
    ["suspended with its host, directly too", withHost("LISTED"), "DIRECT", both("LISTED")],
    ["a legacy suspension, with its host", legacy, "HOST", both(null)],
  ] as const)("%s", (_label, from, cause, expected) => {
    expect(suspended(from, cause)).toEqual(expected);
  });

  it.each([
    ["already directly", direct("LISTED"), "DIRECT"],
    ["already with its host", withHost("LISTED"), "HOST"],
    ["a legacy suspension, directly", legacy, "DIRECT"],
  ] as const)("is null when %s", (_label, from, cause) => {
    expect(suspended(from, cause)).toBeNull();
    expect(isSuspendedFor(from, cause)).toBe(true);
  });
});

describe("lifted", () => {
  it.each([
    ["a direct suspension: back to LISTED", direct("LISTED"), "DIRECT", state("LISTED")],
    ["a direct suspension: back to DRAFT", direct("DRAFT"), "DIRECT", state("DRAFT")],
    ["the host's: back to UNLISTED", withHost("UNLISTED"), "HOST", state("UNLISTED")],
    ["the host's, while suspended directly too: still suspended", both("LISTED"), "HOST", direct("LISTED")],
    ["the direct one, while the host's holds: still suspended", both("LISTED"), "DIRECT", withHost("LISTED")],
    ["a legacy suspension: UNLISTED, for its host to republish", legacy, "DIRECT", state("UNLISTED")],
  ] as const)("%s", (_label, from, cause, expected) => {
    expect(lifted(from, cause)).toEqual(expected);
  });

  it.each([
    ["not suspended", state("LISTED"), "DIRECT"],
    ["suspended with its host only, lifting the direct cause", withHost("LISTED"), "DIRECT"],
    ["suspended directly only, lifting the host's", direct("LISTED"), "HOST"],
  ] as const)("is null when %s", (_label, from, cause) => {
    expect(lifted(from, cause)).toBeNull();
    expect(isSuspendedFor(from, cause)).toBe(false);
  });
});
