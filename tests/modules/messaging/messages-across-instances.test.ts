// Two API processes of one deployment (one database, one Redis, one key prefix): a message sent
// on one reaches messageAdded subscribers on both, through the outbox and Redis.
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import {
  MessageAddedDocument,
  type MessageAddedSubscription,
  SendMessageDocument,
} from "../../../schema/generated/graphql.ts";
import { type App, createApp } from "../../../src/app.ts";
import { type RunningServer, startHttpServer } from "../../../src/server.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId, stayFixture } from "../../helpers/bookings.ts";
import { GraphQLClient } from "../../helpers/client.ts";
import { inquire } from "../../helpers/messaging.ts";
import { type SseSubscription, subscribeOverSse } from "../../helpers/sse.ts";
import { untilSubscribed } from "../../helpers/subscriber.ts";

describe.skipIf(!inject("redisUrl"))("across two server instances", () => {
  let a: TestApp;
  let b: App;
  let bServer: RunningServer;

  beforeAll(async () => {
    a = await startTestApp();
    b = await createApp(a.app.config, { databaseUrl: a.database.url });
    bServer = await startHttpServer(b, 0, "127.0.0.1");
  });
  afterAll(async () => {
    await bServer.close(1_000);
    await b.close();
    await a.close();
  });

  const watch = (url: string, user: { accessToken: string }, conversationId: string) => {
    const messages = subscribeOverSse(url, MessageAddedDocument, { conversationId }, user.accessToken);
    onTestFinished(() => messages.dispose());
    return messages;
  };

  async function expectMessage(messages: SseSubscription<MessageAddedSubscription>, body: string) {
    const event = await messages.next();
    expect(event.errors).toBeUndefined();
    expect(event.data?.messageAdded.body).toBe(body);
  }

  it("delivers messages sent on B to the guest watching on A and the host watching on B", async () => {
    const stay = await stayFixture(a);
    const { conversation } = await inquire(stay.guest, stay.listingId, "opening");
    const guestOnA = watch(a.url, stay.guest, conversation.id);
    const hostOnB = watch(bServer.url, stay.host, conversation.id);
    // One stream per process on this fresh channel: Redis counts both processes listening.
    await untilSubscribed(a.app, `messageAdded:${rawId(conversation.id)}`, 2);

    const [hostClient, guestClient] = [stay.host, stay.guest].map((user) =>
      new GraphQLClient(`${bServer.url}/graphql`).as(user.accessToken),
    );
    await hostClient!.ok(SendMessageDocument, { input: { conversationId: conversation.id, body: "From B" } });
    await expectMessage(guestOnA, "From B");
    await expectMessage(hostOnB, "From B");
    await guestClient!.ok(SendMessageDocument, {
      input: { conversationId: conversation.id, body: "Also B" },
    });
    await expectMessage(guestOnA, "Also B");
    await expectMessage(hostOnB, "Also B");
  });
});
