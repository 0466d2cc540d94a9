import { describe, expect, it } from "vitest";
import { fieldsOfCoercionError } from "../../src/graphql/plugins.ts";

describe("fieldsOfCoercionError", () => {
  it.each([
    [
      'Variable "$input" got invalid value { email: "a" }; Field "lastName" of required type "String!" was not provided.',
      [{ path: "lastName", message: "is required" }],
    ],
    [
      'Variable "$input" got invalid value "2031-02-30" at "input.checkIn"; Date must be a real calendar date formatted YYYY-MM-DD',
      [{ path: "checkIn", message: "Date must be a real calendar date formatted YYYY-MM-DD" }],
    ],
    [
      'Variable "$input" got invalid value { line1: "x" } at "input.address"; Field "city" of required type "String!" was not provided.',
      [{ path: "address.city", message: "is required" }],
    ],
    [
      'Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"',
      [{ path: "first", message: 'Int cannot represent non-integer value: "ten"' }],
    ],
    [
      'Variable "$input" got invalid value null; Expected non-nullable type "SignUpInput!" not to be null.',
      [{ path: "input", message: 'Expected non-nullable type "SignUpInput!" not to be null.' }],
    ],
  ])("%s", (message, fields) => {
    expect(fieldsOfCoercionError(message).fields).toEqual(fields);
  });

  it("leaves other errors alone", () => {
    expect(fieldsOfCoercionError('Cannot query field "nope" on type "Query".')).toEqual({});
  });
});
