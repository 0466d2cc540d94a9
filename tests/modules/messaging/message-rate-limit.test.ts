// Sending is rate limited per user (config.messaging.messagesPerMinute): past the limit,
// RATE_LIMITED with retryAfter, nothing written; other users are not affected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SendInquiryDocument, SendMessageDocument } from "../../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { rawId, stayFixture } from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";
import { inquire } from "../../helpers/messaging.ts";

const LIMIT = 3;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ configure: (config) => void (config.messaging.messagesPerMinute = LIMIT) });
});
afterAll(async () => {
  await t.close();
});

describe("the per-user message limit", () => {
  it("refuses the message past the limit with RATE_LIMITED and retryAfter, counting concurrent sends", async () => {
    const stay = await stayFixture(t);
    const { conversation } = await inquire(stay.guest, stay.listingId, "first");
    // Concurrent sends are counted before any of them writes: exactly LIMIT - 1 more pass.
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, index) =>
        stay.guest.client.request(SendMessageDocument, {
          input: { conversationId: conversation.id, body: `burst ${index}` },
        }),
      ),
    );
    const codes = results.map((result) => codeOf(result) ?? "OK").sort();
    expect(codes).toEqual(["OK", "OK", "RATE_LIMITED", "RATE_LIMITED"]);
    const limited = results.find((result) => codeOf(result) === "RATE_LIMITED");
    const retryAfter = limited?.errors?.[0]?.extensions?.retryAfter;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited?.status).toBe(429);
    expect(await t.app.db.message.count({ where: { conversationId: rawId(conversation.id) } })).toBe(LIMIT);

    // Inquiries count too; the host is another user, with a window of their own.
    const inquiry = await stay.guest.client.request(SendInquiryDocument, {
      input: { listingId: stay.listingId, body: "again" },
    });
    expect(codeOf(inquiry)).toBe("RATE_LIMITED");
    const answer = await stay.host.client.request(SendMessageDocument, {
      input: { conversationId: conversation.id, body: "Slow down!" },
    });
    expect(answer.errors).toBeUndefined();
  });
});
