// Reading conversations: the inbox ordered by last activity with unread counts, markConversationRead,
// and a conversation's messages newest first in keyset pages (forward and backward).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConversationDocument,
  ConversationsDocument,
  MarkConversationReadDocument,
} from "../../../schema/generated/graphql.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { stayFixture } from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { conversationAs, inquire, reply } from "../../helpers/messaging.ts";

// A clock that stands still: messages sent "at once" still get one order (thread.ts).
const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp({ clock });
  admin = await factories(t).user().admin().create();
});
afterAll(async () => {
  await t.close();
});

const inbox = async (user: TestUser, first?: number, after?: string) =>
  (await user.client.ok(ConversationsDocument, { first, after })).conversations;

describe("conversations", () => {
  it("lists the caller's conversations by last activity, each with the caller's unread count", async () => {
    const host = await factories(t).user().create();
    const [one, two, three] = await Promise.all(
      [1, 2, 3].map(() => factories(t).listing(host).listed().create()),
    );
    const guest = await factories(t).user().create();
    const ids: string[] = [];
    for (const listing of [one, two, three]) {
      clock.advance(60_000);
      ids.push((await inquire(guest, encodeGlobalId("Listing", listing!.id))).conversation.id);
    }
    // The first conversation becomes more recent than the third; the host answers in the second.
    clock.advance(60_000);
    await reply(guest, ids[0]!, "One more thing");
    await reply(guest, ids[0]!, "And another");
    clock.advance(60_000);
    await reply(host, ids[1]!, "Sure");

    const hostInbox = await inbox(host);
    expect(hostInbox.totalCount).toBe(3);
    expect(hostInbox.edges.map((edge) => [edge.node.id, edge.node.unreadCount])).toEqual([
      [ids[1], 0],
      [ids[0], 3],
      [ids[2], 1],
    ]);
    const guestInbox = await inbox(guest);
    expect(guestInbox.edges.map((edge) => [edge.node.id, edge.node.unreadCount])).toEqual([
      [ids[1], 1],
      [ids[0], 0],
      [ids[2], 0],
    ]);
    // The latest message comes along (messages(first: 1) in the document).
    expect(guestInbox.edges[0]?.node.messages.edges[0]?.node.body).toBe("Sure");

    // Pages: two, then the rest after the cursor.
    const page = await inbox(host, 2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await inbox(host, 2, page.pageInfo.endCursor ?? undefined);
    expect([...page.edges, ...rest.edges].map((edge) => edge.node.id)).toEqual([ids[1], ids[0], ids[2]]);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    // An admin's inbox holds their own conversations only.
    expect((await inbox(admin)).totalCount).toBe(0);
  });

  it("markConversationRead zeroes the caller's unread count only, until the next message", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId);
    await reply(stay.guest, conversation.id, "Second");
    const read = await stay.host.client.ok(MarkConversationReadDocument, {
      input: { conversationId: conversation.id },
    });
    expect(read.markConversationRead.conversation).toMatchObject({ id: conversation.id, unreadCount: 0 });
    await reply(stay.guest, conversation.id, "Third");
    expect((await conversationAs(stay.host, conversation.id)).unreadCount).toBe(1);
    expect((await conversationAs(stay.guest, conversation.id)).unreadCount).toBe(0);

    const stranger = await factories(t).user().create();
    const input = { conversationId: conversation.id };
    expect(codeOf(await stranger.client.request(MarkConversationReadDocument, { input }))).toBe("NOT_FOUND");
    expect(codeOf(await admin.client.request(MarkConversationReadDocument, { input }))).toBe("FORBIDDEN");
  });
});

describe("a conversation's messages", () => {
  it("come newest first in keyset pages that neither skip nor repeat, forward and backward", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId, "m0");
    // The clock stands still: every message has the same clock time.
    for (let index = 1; index < 7; index++) {
      await reply(index % 2 ? stay.host : stay.guest, conversation.id, `m${index}`);
    }
    const newestFirst = ["m6", "m5", "m4", "m3", "m2", "m1", "m0"];

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { messages } = await conversationAs(stay.guest, conversation.id, { first: 3, after });
      seen.push(...messages.edges.map((edge) => edge.node.body));
      if (!messages.pageInfo.hasNextPage) break;
      after = messages.pageInfo.endCursor ?? undefined;
    }
    expect(seen).toEqual(newestFirst);

    // Backward from the oldest: the three just newer than m0, in the list's order.
    const all = (await conversationAs(stay.guest, conversation.id, { first: 10 })).messages;
    const oldest = all.edges.at(-1)!.cursor;
    const back = (await conversationAs(stay.guest, conversation.id, { last: 3, before: oldest })).messages;
    expect(back.edges.map((edge) => edge.node.body)).toEqual(["m3", "m2", "m1"]);
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

    // A message sent after a page was read shows at the head, not inside the next page.
    const head = (await conversationAs(stay.guest, conversation.id, { first: 2 })).messages;
    await reply(stay.host, conversation.id, "m7");
    const next = (
      await conversationAs(stay.guest, conversation.id, {
        first: 2,
        after: head.pageInfo.endCursor ?? undefined,
      })
    ).messages;
    expect(next.edges.map((edge) => edge.node.body)).toEqual(["m4", "m3"]);
  });

  it("refuses a cursor that is not one and a negative page size (BAD_USER_INPUT)", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId);
    const bad = await stay.guest.client.request(ConversationDocument, { id: conversation.id, after: "junk" });
    expect(codeOf(bad)).toBe("BAD_USER_INPUT");
    const negative = await stay.guest.client.request(ConversationDocument, {
      id: conversation.id,
      first: -1,
    });
    expect(codeOf(negative)).toBe("BAD_USER_INPUT");
  });
});
