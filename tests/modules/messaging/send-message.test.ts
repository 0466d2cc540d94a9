// sendMessage: an inquiry opens the guest's one conversation with the host, replies carry it on,
// the body is checked, and only participants write (admins read but do not write; others NOT_FOUND).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConversationDocument,
  SendInquiryDocument,
  SendMessageDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId, stayFixture } from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { conversationAs, inquire, reply } from "../../helpers/messaging.ts";

const NODE = "query MessagingNode($id: ID!) { node(id: $id) { id } }";

let t: TestApp;
let stranger: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  [stranger, admin] = await Promise.all([factories(t).user().create(), factories(t).user().admin().create()]);
});
afterAll(async () => {
  await t.close();
});

describe("an inquiry", () => {
  it("opens a conversation of the guest and the host about the listing, and a second one carries it on", async () => {
    const stay = await stayFixture(t);
    const first = await inquire(stay.guest, stay.listingId, "  Is there parking?\n\nThanks  ");
    expect(first).toMatchObject({ body: "Is there parking?\n\nThanks", sender: { id: stay.guest.globalId } });
    const second = await inquire(stay.guest, stay.listingId, "And a cot?");
    expect(second.conversation.id).toBe(first.conversation.id);

    const conversation = await conversationAs(stay.host, first.conversation.id);
    expect(conversation.listing?.id).toBe(stay.listingId);
    expect(conversation.booking).toBeNull();
    expect(conversation.participants.map((user) => user.id).sort()).toEqual(
      [stay.guest.globalId, stay.host.globalId].sort(),
    );
    expect(conversation.messages.edges.map((edge) => edge.node.body)).toEqual([
      "And a cot?",
      "Is there parking?\n\nThanks",
    ]);
    const rows = await t.app.db.conversation.count({ where: { listingId: stay.listing.id } });
    expect(rows).toBe(1);
  });

  it("is refused to the listing's own host (BAD_USER_INPUT on listingId)", async () => {
    const stay = await stayFixture(t);
    const result = await stay.host.client.request(SendInquiryDocument, {
      input: { listingId: stay.listingId, body: "Hello me" },
    });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result).map((field) => field.path)).toEqual(["listingId"]);
  });

  it("about a listing nobody may find (a draft, another type's id, garbage) is NOT_FOUND", async () => {
    const host = await factories(t).user().create();
    const draft = await factories(t).listing(host).create();
    for (const listingId of [encodeGlobalId("Listing", draft.id), stranger.globalId, "nope"]) {
      const result = await stranger.client.request(SendInquiryDocument, { input: { listingId, body: "Hi" } });
      expect(codeOf(result), listingId).toBe("NOT_FOUND");
    }
  });

  it("carries on an existing conversation after the listing is unlisted", async () => {
    const stay = await stayFixture(t);
    const first = await inquire(stay.guest, stay.listingId);
    await t.app.db.listing.update({ where: { id: stay.listing.id }, data: { status: "UNLISTED" } });
    const later = await inquire(stay.guest, stay.listingId, "Still there?");
    expect(later.conversation.id).toBe(first.conversation.id);
    // A new guest cannot open one now.
    const result = await stranger.client.request(SendInquiryDocument, {
      input: { listingId: stay.listingId, body: "Hi" },
    });
    expect(codeOf(result)).toBe("NOT_FOUND");
  });
});

describe("the body and the target", () => {
  it("takes 1 to 5,000 characters, refusing blank, too long and control characters", async () => {
    const stay = await stayFixture(t);
    const longest = "x".repeat(5_000);
    expect((await inquire(stay.guest, stay.listingId, longest)).body).toBe(longest);
    for (const body of ["", "   \n\t ", "\u200B\u200B", "x".repeat(5_001), "bell\u0007"]) {
      const result = await stay.guest.client.request(SendInquiryDocument, {
        input: { listingId: stay.listingId, body },
      });
      expect(codeOf(result), JSON.stringify(body)).toBe("BAD_USER_INPUT");
      expect(fieldsOf(result).map((field) => field.path)).toEqual(["body"]);
    }
  });

  it("needs exactly one of conversationId and listingId", async () => {
    const stay = await stayFixture(t);
    const message = await inquire(stay.guest, stay.listingId);
    const both = { conversationId: message.conversation.id, listingId: stay.listingId, body: "Hi" };
    for (const input of [both, { body: "Hi" }]) {
      const result = await stay.guest.client.request(SendMessageDocument, { input });
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(fieldsOf(result).map((field) => field.path)).toEqual(["conversationId", "listingId"]);
    }
  });

  it("refuses anonymous callers with UNAUTHENTICATED", async () => {
    const stay = await stayFixture(t);
    const result = await t.client.request(SendInquiryDocument, {
      input: { listingId: stay.listingId, body: "Hi" },
    });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });
});

describe("who may read and write", () => {
  it("lets both participants write; others get NOT_FOUND; admins read but may not write", async () => {
    const stay = await stayFixture(t);
    const opened = await inquire(stay.guest, stay.listingId);
    const id = opened.conversation.id;
    await reply(stay.host, id, "Welcome!");
    await reply(stay.guest, id, "Thanks!");

    const strangerWrites = await stranger.client.request(SendMessageDocument, {
      input: { conversationId: id, body: "Hi" },
    });
    expect(codeOf(strangerWrites)).toBe("NOT_FOUND");
    expect(codeOf(await stranger.client.request(ConversationDocument, { id }))).toBe("NOT_FOUND");
    expect(codeOf(await stranger.client.request(NODE, { id }))).toBe("NOT_FOUND");
    expect(codeOf(await stranger.client.request(NODE, { id: opened.id }))).toBe("NOT_FOUND");
    expect(codeOf(await t.client.request(ConversationDocument, { id }))).toBe("UNAUTHENTICATED");

    const asAdmin = await conversationAs(admin, id);
    expect(asAdmin.messages.edges).toHaveLength(3);
    expect(asAdmin.unreadCount).toBe(0);
    expect(await admin.client.ok(NODE, { id })).toEqual({ node: { id } });
    const adminWrites = await admin.client.request(SendMessageDocument, {
      input: { conversationId: id, body: "Admin here" },
    });
    expect(codeOf(adminWrites)).toBe("FORBIDDEN");
    expect(await t.app.db.message.count({ where: { conversationId: rawId(id) } })).toBe(3);
  });

  it("answers NOT_FOUND for a malformed id or one of another type", async () => {
    const stay = await stayFixture(t);
    for (const conversationId of ["garbage", stay.listingId]) {
      const result = await stay.guest.client.request(SendMessageDocument, {
        input: { conversationId, body: "Hi" },
      });
      expect(codeOf(result), conversationId).toBe("NOT_FOUND");
    }
  });

  it("notifies the other participant once per message, in the message's transaction", async () => {
    const stay = await stayFixture(t);
    const message = await inquire(stay.guest, stay.listingId, "Can I bring a dog?");
    const notices = await t.app.db.notification.findMany({
      where: { dedupeKey: { startsWith: `message:${rawId(message.id)}:` } },
    });
    expect(notices).toEqual([
      expect.objectContaining({
        userId: stay.host.id,
        type: "message.received",
        body: "Can I bring a dog?",
        dedupeKey: `message:${rawId(message.id)}:${stay.host.id}`,
      }),
    ]);
  });
});
