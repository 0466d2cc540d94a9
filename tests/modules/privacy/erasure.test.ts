// eraseNames, by table: whole words only, any case, the full name before its parts.
import { describe, expect, it } from "vitest";
import { DELETED_USER_NAME, eraseNames, erasedEmail } from "../../../src/modules/privacy/erasure.ts";

const D = DELETED_USER_NAME;

describe("eraseNames", () => {
  it.each([
    ["Ann asks to stay at Annex Lodge.", ["Ann Lee", "Ann", "Lee"], `${D} asks to stay at Annex Lodge.`],
    ["New message from Ann Lee", ["Ann Lee", "Ann", "Lee"], `New message from ${D}`],
    ["The stay of ANN at Leeds", ["Ann Lee", "Ann", "Lee"], `The stay of ${D} at Leeds`],
    ["Ann\u00a0Lee, ann and lee.", ["Ann Lee", "Ann", "Lee"], `${D}, ${D} and ${D}.`],
    ["Zoë rated their stay", ["Zoë", "Ng"], `${D} rated their stay`],
    ["Zoëlla rated their stay", ["Zoë"], "Zoëlla rated their stay"],
    ["a.b (c) rated", ["a.b (c)"], `${D} rated`],
    ["axb rated", ["a.b"], "axb rated"],
    ["nothing to do", ["", "  "], "nothing to do"],
    ["Jo_ and Jo2 and Jo", ["Jo"], `Jo_ and Jo2 and ${D}`],
  ])("%j without %j reads %j", (text, names, expected) => {
    expect(eraseNames(text, names)).toBe(expected);
  });
});

describe("erasedEmail", () => {
  it("is lower-case, unique per user, and undeliverable", () => {
    const id = "0b6f3c9e-5f1a-4c1e-9d7a-2f4b8e6a1c3d";
    expect(erasedEmail(id)).toBe(`deleted-${id}@deleted.roost.invalid`);
    expect(erasedEmail(id)).toBe(erasedEmail(id).toLowerCase());
    expect(erasedEmail(id)).not.toBe(erasedEmail("1b6f3c9e-5f1a-4c1e-9d7a-2f4b8e6a1c3d"));
  });
});
