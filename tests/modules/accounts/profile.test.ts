import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ChangePasswordDocument,
  LogInDocument,
  MeDocument,
  RefreshSessionDocument,
  UpdateProfileDocument,
  UserByIdDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories } from "../../helpers/factories.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("me", () => {
  it("answers UNAUTHENTICATED without a token", async () => {
    const result = await t.client.request(MeDocument);
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
    expect(result.data?.me ?? null).toBeNull();
  });
});

describe("updateProfile", () => {
  it("changes the given fields only; null clears optional ones", async () => {
    const user = await factories(t).user().named("Old", "Name").create();
    const set = await user.client.ok(UpdateProfileDocument, {
      input: { firstName: " New ", avatarUrl: "https://img.example.test/a.png", bio: "Hi" },
    });
    expect(set.updateProfile.user).toMatchObject({
      firstName: "New",
      lastName: "Name",
      avatarUrl: "https://img.example.test/a.png",
      bio: "Hi",
    });
    const cleared = await user.client.ok(UpdateProfileDocument, { input: { avatarUrl: null } });
    expect(cleared.updateProfile.user).toMatchObject({ avatarUrl: null, bio: "Hi", firstName: "New" });
  });

  it.each([
    ["avatarUrl", { avatarUrl: "javascript:alert(1)" }, "must be an http(s) URL"],
    ["avatarUrl", { avatarUrl: "ftp://example.test/a.png" }, "must be an http(s) URL"],
    ["avatarUrl", { avatarUrl: "http://169.254.169.254/latest/meta-data" }, "must point to a public host"],
    ["bio", { bio: "x".repeat(1001) }, "must be at most 1000 characters"],
    ["firstName", { firstName: "" }, "must not be empty"],
    ["firstName", { firstName: "\u200B\u2060" }, "must not be empty"],
    ["firstName", { firstName: "Ana\u0007" }, "must not contain control characters or line breaks"],
    ["lastName", { lastName: "Silva\nBot" }, "must not contain control characters or line breaks"],
    ["lastName", { lastName: "\u202Enimda" }, "must not contain bidirectional control characters"],
    ["bio", { bio: "Hello\u001B[2J" }, "must not contain control characters"],
    [
      "avatarUrl",
      { avatarUrl: "https://img.example.test/a\u0001.png" },
      "must not contain control characters or line breaks",
    ],
  ])("refuses a bad %s", async (path, input, message) => {
    const user = await factories(t).user().create();
    const result = await user.client.request(UpdateProfileDocument, { input });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([{ path, message }]);
  });

  it("keeps line breaks in a bio, and bidirectional text in it (only names refuse it)", async () => {
    const user = await factories(t).user().create();
    const bio = "Hi,\nI host in Lisbon.\n\u202Bשלום\u202C";
    const set = await user.client.ok(UpdateProfileDocument, { input: { bio } });
    expect(set.updateProfile.user.bio).toBe(bio);
  });

  it("needs a signed-in user", async () => {
    const result = await t.client.request(UpdateProfileDocument, { input: { bio: "x" } });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });
});

describe("changePassword", () => {
  it("changes the password and ends the user's other sessions, keeping this one", async () => {
    const user = await factories(t).user().create();
    const otherSession = (
      await t.client.ok(LogInDocument, { input: { email: user.email, password: user.password } })
    ).logIn;
    await user.client.ok(ChangePasswordDocument, {
      input: { currentPassword: user.password, newPassword: "a brand new secret" },
    });

    expect((await user.client.ok(MeDocument)).me?.id).toBe(user.globalId);
    expect(codeOf(await t.client.as(otherSession.accessToken).request(MeDocument))).toBe("UNAUTHENTICATED");
    const refresh = await t.client.request(RefreshSessionDocument, {
      input: { refreshToken: otherSession.refreshToken },
    });
    expect(codeOf(refresh)).toBe("UNAUTHENTICATED");

    const oldPassword = await t.client.request(LogInDocument, {
      input: { email: user.email, password: user.password },
    });
    expect(codeOf(oldPassword)).toBe("UNAUTHENTICATED");
    await t.client.ok(LogInDocument, { input: { email: user.email, password: "a brand new secret" } });
  });

  it("changes nothing when ending the other sessions fails: one transaction", async () => {
    // A trigger makes the revocation fail for this user only, after the hash was written.
    await t.app.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_fail_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.revoke_reason = 'password-changed'
           AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND first_name = 'RevocationFails') THEN
          RAISE EXCEPTION 'revocation refused by test trigger';
        END IF;
        RETURN NEW;
      END $$`);
    await t.app.db.$executeRawUnsafe(`
      CREATE OR REPLACE TRIGGER test_fail_revocation BEFORE UPDATE ON sessions
      FOR EACH ROW EXECUTE FUNCTION test_fail_revocation()`);
    const user = await factories(t).user().named("RevocationFails", "Test").create();
    const otherSession = (
      await t.client.ok(LogInDocument, { input: { email: user.email, password: user.password } })
    ).logIn;

    const result = await user.client.request(ChangePasswordDocument, {
      input: { currentPassword: user.password, newPassword: "a brand new secret" },
    });
    expect(codeOf(result)).toBe("INTERNAL_SERVER_ERROR");

    // Neither half happened: the old password works, the new one does not, the other session lives.
    expect((await t.client.as(otherSession.accessToken).ok(MeDocument)).me?.id).toBe(user.globalId);
    const withNew = await t.client.request(LogInDocument, {
      input: { email: user.email, password: "a brand new secret" },
    });
    expect(codeOf(withNew)).toBe("UNAUTHENTICATED");
    await t.client.ok(LogInDocument, { input: { email: user.email, password: user.password } });
  });

  it("refuses a wrong current password, a short new one, and the same one", async () => {
    const user = await factories(t).user().create();
    const wrong = await user.client.request(ChangePasswordDocument, {
      input: { currentPassword: "not-it-at-all", newPassword: "another secret" },
    });
    expect(codeOf(wrong)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(wrong)).toEqual([{ path: "currentPassword", message: "is incorrect" }]);

    const short = await user.client.request(ChangePasswordDocument, {
      input: { currentPassword: user.password, newPassword: "short" },
    });
    expect(fieldsOf(short)).toEqual([{ path: "newPassword", message: "must be at least 8 characters" }]);

    const same = await user.client.request(ChangePasswordDocument, {
      input: { currentPassword: user.password, newPassword: user.password },
    });
    expect(fieldsOf(same)).toEqual([
      { path: "newPassword", message: "must differ from the current password" },
    ]);
  });

  it("needs a signed-in user", async () => {
    const result = await t.client.request(ChangePasswordDocument, {
      input: { currentPassword: "whatever1", newPassword: "whatever2" },
    });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });
});

describe("User visibility", () => {
  it("shows the e-mail to the user and to admins, null to everyone else", async () => {
    const user = await factories(t).user().create();
    const stranger = await factories(t).user().create();
    const admin = await factories(t).user().admin().create();
    const asSelf = await user.client.ok(UserByIdDocument, { id: user.globalId });
    const asStranger = await stranger.client.ok(UserByIdDocument, { id: user.globalId });
    const asAdmin = await admin.client.ok(UserByIdDocument, { id: user.globalId });
    const anonymous = await t.client.ok(UserByIdDocument, { id: user.globalId });
    expect(asSelf.node).toMatchObject({ email: user.email });
    expect(asStranger.node).toMatchObject({ email: null, firstName: "Test" });
    expect(asAdmin.node).toMatchObject({ email: user.email });
    expect(anonymous.node).toMatchObject({ email: null });
  });

  it.each([
    ["malformed", "%%%not-an-id"],
    ["of another type", encodeGlobalId("Listing", "00000000-0000-4000-8000-000000000000")],
    ["naming nobody", encodeGlobalId("User", "00000000-0000-4000-8000-000000000000")],
  ])("answers NOT_FOUND for an id %s", async (_case, id) => {
    const result = await t.client.request(UserByIdDocument, { id });
    expect(codeOf(result)).toBe("NOT_FOUND");
  });
});
