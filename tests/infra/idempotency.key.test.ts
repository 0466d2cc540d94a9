// The pure parts of idempotency keys: which keys are accepted, and the canonical JSON
// that request hashes are taken over.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { canonicalJson, validateIdempotencyKey } from "../../src/infra/idempotency.ts";

describe("validateIdempotencyKey", () => {
  it.each([
    ["a UUID", "3f0c9b9e-8a43-4d3e-9a59-0a6b6f1d2c11"],
    ["one character", "k"],
    ["255 characters", "k".repeat(255)],
    ["255 emoji (code points, not UTF-16 units)", "🏠".repeat(255)],
    ["inner and outer spaces, kept as given", " retry 1 "],
  ])("accepts %s unchanged", (_name, key) => {
    expect(validateIdempotencyKey(key)).toBe(key);
  });

  it.each<[string, string | null | undefined, RegExp]>([
    ["undefined", undefined, /required/],
    ["null", null, /required/],
    ["an empty key", "", /required/],
    ["a blank key", " \t ", /required/],
    ["256 characters", "k".repeat(256), /at most 255/],
    ["a newline", "a\nb", /control characters/],
    ["a NUL", "a\u0000b", /control characters/],
    ["DEL", "key\u007f", /control characters/],
    ["a C1 control", "key\u0085", /control characters/],
    ["a lone surrogate", "key\ud800", /valid Unicode/],
  ])("refuses %s with BAD_USER_INPUT on the field", (_name, key, message) => {
    let caught: unknown;
    try {
      validateIdempotencyKey(key, "input.idempotencyKey");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: "BAD_USER_INPUT" });
    const fields = (caught as AppError).fields;
    expect(fields).toHaveLength(1);
    expect(fields?.[0]?.path).toBe("input.idempotencyKey");
    expect(fields?.[0]?.message).toMatch(message);
  });

  it("names the field idempotencyKey by default", () => {
    expect(() => validateIdempotencyKey("")).toThrow(
      expect.objectContaining({ fields: [expect.objectContaining({ path: "idempotencyKey" })] }),
    );
  });
});

describe("canonicalJson", () => {
  it.each<[string, unknown, string]>([
    [
      "sorts keys at every depth",
      { b: 1, a: { d: [2, { z: 0, y: 1 }], c: "x" } },
      '{"a":{"c":"x","d":[2,{"y":1,"z":0}]},"b":1}',
    ],
    ["drops undefined members, as JSON does", { a: undefined, b: null }, '{"b":null}'],
    ["keeps array order and nulls", [3, null, undefined, 1], "[3,null,null,1]"],
    [
      "writes dates as ISO instants",
      { at: new Date("2031-01-02T03:04:05.006Z") },
      '{"at":"2031-01-02T03:04:05.006Z"}',
    ],
    [
      "writes bigints as decimal strings",
      { total: 12345678901234567890n },
      '{"total":"12345678901234567890"}',
    ],
    ["sorts integer-like keys as strings", { "10": "a", "2": "b" }, '{"10":"a","2":"b"}'],
    ["escapes strings", { 'k"': 'v\n"' }, '{"k\\"":"v\\n\\""}'],
    ["writes non-finite numbers as null", { n: Number.NaN }, '{"n":null}'],
  ])("%s", (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("is equal for the same members in any order", () => {
    expect(canonicalJson({ x: 1, y: { a: 1, b: 2 } })).toBe(canonicalJson({ y: { b: 2, a: 1 }, x: 1 }));
  });
});
