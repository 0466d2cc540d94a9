// Free text of listings and photos: control characters, bidirectional overrides, invisible
// titles and NUL bytes are refused with BAD_USER_INPUT naming the field, never stored, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddListingPhotosDocument,
  CreateListingDocument,
  UpdateListingDocument,
} from "../../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { validListingInput } from "./listing-input.ts";

let t: TestApp;
let host: TestUser;
let listingId: string;
beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().create();
  listingId = (await host.client.ok(CreateListingDocument, { input: validListingInput() })).createListing
    .listing.id;
});
afterAll(() => t.close());

const address = validListingInput().address;
const CONTROL = "must not contain control characters or line breaks";
const CONTROL_MULTILINE = "must not contain control characters";

describe("listing text fields", () => {
  it.each([
    ["title", { title: "Sunny\u0007 loft" }, CONTROL],
    ["title", { title: "Sunny\nloft by the sea" }, CONTROL],
    ["title", { title: "Cosy \u202Egnirts\u202C flat" }, "must not contain bidirectional control characters"],
    ["title", { title: "Cosy \u2066flat\u2069 here" }, "must not contain bidirectional control characters"],
    ["title", { title: "\u200B\u200B\u200B\u200B\u200B" }, "must be at least 5 characters"],
    ["title", { title: "\u3164\u3164\u3164\u3164\u3164\u3164" }, "must be at least 5 characters"],
    ["description", { description: "Lovely\u001B[31m place" }, CONTROL_MULTILINE],
    ["houseRules", { houseRules: "No parties\u0008" }, CONTROL_MULTILINE],
    ["address.line1", { address: { ...address, line1: "Rua\u0001 Augusta" } }, CONTROL],
    ["address.line2", { address: { ...address, line2: "Floor 2\r\nDoor 3" } }, CONTROL],
    ["address.city", { address: { ...address, city: "Lis\u009Bbon" } }, CONTROL],
    ["address.region", { address: { ...address, region: "Lisboa\u007F" } }, CONTROL],
    ["address.postalCode", { address: { ...address, postalCode: "1100\t053" } }, CONTROL],
  ])("createListing refuses %s %j", async (path, overrides, message) => {
    const result = await host.client.request(CreateListingDocument, { input: validListingInput(overrides) });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toContainEqual({ path, message });
  });

  it("updateListing applies the same rules", async () => {
    const result = await host.client.request(UpdateListingDocument, {
      input: { listingId, title: "\u200B\u200B\u200B\u200B\u200B", description: "x\u0002y" },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(
      fieldsOf(result)
        .map((field) => field.path)
        .sort(),
    ).toEqual(["description", "title"]);
  });

  it("keeps line breaks and tabs in descriptions and house rules, and bidi text in descriptions", async () => {
    const { createListing } = await host.client.ok(CreateListingDocument, {
      input: validListingInput({
        description: "Two rooms.\n\n\tA garden; \u05E9\u05DC\u05D5\u05DD.",
        houseRules: "No parties.\r\nNo smoking.",
        title: "Loft \u00E0 Lisboa \u{1F3E0}",
      }),
    });
    expect(createListing.listing.description).toBe("Two rooms.\n\n\tA garden; \u05E9\u05DC\u05D5\u05DD.");
    expect(createListing.listing.houseRules).toBe("No parties.\r\nNo smoking.");
    expect(createListing.listing.title).toBe("Loft \u00E0 Lisboa \u{1F3E0}");
  });
});

describe("photo text fields", () => {
  it.each([
    ["photos.0.caption", { url: "https://img.example.test/a.jpg", caption: "Kitchen\u0007" }, CONTROL],
    ["photos.0.caption", { url: "https://img.example.test/a.jpg", caption: "Line\nbreak" }, CONTROL],
    ["photos.0.url", { url: "https://img.example.test/a\u0001.jpg" }, "must be an http(s) URL"],
  ])("addListingPhotos refuses %s %j", async (path, photo, message) => {
    const result = await host.client.request(AddListingPhotosDocument, {
      input: { listingId, photos: [photo] },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path, message }]);
  });
});

describe("NUL bytes", () => {
  const nul = "\u0000";
  it("in a listing title: BAD_USER_INPUT with the field, nothing stored", async () => {
    const before = await t.app.db.listing.count();
    const result = await host.client.request(CreateListingDocument, {
      input: validListingInput({ title: `Sunny${nul} loft` }),
    });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path: "title", message: "must not contain NUL characters" }]);
    expect(await t.app.db.listing.count()).toBe(before);
  });

  it("in an address: BAD_USER_INPUT with the field", async () => {
    const result = await host.client.request(UpdateListingDocument, {
      input: { listingId, address: { ...address, city: `Lisbon${nul}` } },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path: "address.city", message: "must not contain NUL characters" }]);
  });

  it("in a photo caption: BAD_USER_INPUT with the field", async () => {
    const result = await host.client.request(AddListingPhotosDocument, {
      input: { listingId, photos: [{ url: "https://img.example.test/a.jpg", caption: `Kitchen${nul}` }] },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([
      { path: "photos.0.caption", message: "must not contain NUL characters" },
    ]);
  });
});
