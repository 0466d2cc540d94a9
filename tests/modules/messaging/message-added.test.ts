// messageAdded over a real port with the graphql-sse client: who may watch a conversation
// (participants only: anonymous UNAUTHENTICATED, others and admins NOT_FOUND), and delivery of
// each new message, from an inquiry or a reply, to the conversation's own watchers only.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { MessageAddedDocument, type MessageAddedSubscription } from "../../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId, stayFixture } from "../../helpers/bookings.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { inquire, reply } from "../../helpers/messaging.ts";
import { type SseSubscription, subscribeOverSse } from "../../helpers/sse.ts";
import { untilSubscribed } from "../../helpers/subscriber.ts";

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

type Messages = SseSubscription<MessageAddedSubscription>;

function watch(user: TestUser | undefined, conversationId: string): Messages {
  const messages = subscribeOverSse(t.url, MessageAddedDocument, { conversationId }, user?.accessToken);
  onTestFinished(() => messages.dispose());
  return messages;
}

async function expectMessage(messages: Messages, body: string, sender: TestUser): Promise<void> {
  const event = await messages.next();
  expect(event.errors).toBeUndefined();
  expect(event.data?.messageAdded).toMatchObject({ body, sender: { id: sender.globalId } });
}

describe("who may watch a conversation", () => {
  it("refuses anonymous callers with UNAUTHENTICATED and everyone but participants with NOT_FOUND", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId);
    const refusals: Array<[TestUser | undefined, string, number, string]> = [
      [undefined, conversation.id, 401, "UNAUTHENTICATED"],
      [stranger, conversation.id, 404, "NOT_FOUND"],
      // Admins read any conversation, but the stream is the participants' own.
      [admin, conversation.id, 404, "NOT_FOUND"],
      [stay.guest, "not-an-id", 404, "NOT_FOUND"],
      [stay.guest, stay.listingId, 404, "NOT_FOUND"],
    ];
    for (const [user, conversationId, status, code] of refusals) {
      const refusal = await watch(user, conversationId).next();
      expect(refusal.status, `${code} for ${conversationId}`).toBe(status);
      expect(refusal.errors?.[0]).toMatchObject({ extensions: { code } });
      expect(refusal.data ?? undefined).toBeUndefined();
    }
  });
});

describe("delivery", () => {
  it("brings each new message of the conversation to a participant, and none of another's", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId, "opening");
    const other = await stayFixture(t);
    const { conversation: elsewhere } = await inquire(other.guest, other.listingId, "elsewhere");

    const asGuest = watch(stay.guest, conversation.id);
    await untilSubscribed(t.app, `messageAdded:${rawId(conversation.id)}`);
    // The other conversation's message goes first: had it leaked, it would arrive first.
    await reply(other.host, elsewhere.id, "not for you");
    await reply(stay.host, conversation.id, "Welcome");
    await expectMessage(asGuest, "Welcome", stay.host);
    await inquire(stay.guest, stay.listingId, "By inquiry too");
    await expectMessage(asGuest, "By inquiry too", stay.guest);
  });

  it("reaches the host as well", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId, "opening");
    const asHost = watch(stay.host, conversation.id);
    await untilSubscribed(t.app, `messageAdded:${rawId(conversation.id)}`);
    await reply(stay.guest, conversation.id, "Are you there?");
    await expectMessage(asHost, "Are you there?", stay.guest);
  });
});
