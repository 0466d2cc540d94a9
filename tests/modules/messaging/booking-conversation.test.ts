// A booking carries the guest's conversation with the host: requestBooking's message lands in the
// one conversation of that guest and listing (opened or found), which points at the newest booking;
// and concurrent first messages, inquiries or bookings, make one conversation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SendInquiryDocument } from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, rawId, stayFixture } from "../../helpers/bookings.ts";
import { conversationAs, inquire } from "../../helpers/messaging.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

const conversationsOf = (guestId: string, listingId: string) =>
  t.app.db.conversation.findMany({ where: { guestId, listingId }, include: { messages: true } });

describe("requestBooking's message", () => {
  it("opens the conversation, linked to the booking, with the message from the guest", async () => {
    const stay = await stayFixture(t);
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-04-01", checkOut: "2027-04-03" }, { message: " We arrive late. " }),
    );
    const [conversation] = await conversationsOf(stay.guest.id, stay.listing.id);
    expect(conversation?.bookingId).toBe(rawId(booking.id));
    expect(conversation?.messages.map((message) => [message.senderId, message.body])).toEqual([
      [stay.guest.id, "We arrive late."],
    ]);
    const notices = await t.app.db.notification.count({
      where: { userId: stay.host.id, type: "message.received" },
    });
    expect(notices).toBe(1);
  });

  it("carries on an inquiry's conversation, and a later booking moves the link to itself", async () => {
    const stay = await stayFixture(t);
    const inquiry = await inquire(stay.guest, stay.listingId, "Free in April?");
    clock.advance(1_000);
    const first = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-04-05", checkOut: "2027-04-07" }, { message: "Booked!" }),
    );
    let conversation = await conversationAs(stay.host, inquiry.conversation.id);
    expect(conversation.booking).toMatchObject({ id: first.id });
    expect(conversation.messages.edges.map((edge) => edge.node.body)).toEqual(["Booked!", "Free in April?"]);
    expect(conversation.unreadCount).toBe(2);

    // A second booking without a message: the same conversation, now about the newer booking.
    clock.advance(1_000);
    const second = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-05-05", checkOut: "2027-05-07" }),
    );
    conversation = await conversationAs(stay.guest, inquiry.conversation.id);
    expect(conversation.booking).toMatchObject({ id: second.id });
    expect(conversation.messages.edges).toHaveLength(2);
    expect(await conversationsOf(stay.guest.id, stay.listing.id)).toHaveLength(1);
  });

  it("without a message still links the booking to the (new, empty) conversation", async () => {
    const stay = await stayFixture(t);
    const booking = await book(
      stay.guest,
      bookingInput(stay, { checkIn: "2027-04-10", checkOut: "2027-04-12" }),
    );
    const [conversation] = await conversationsOf(stay.guest.id, stay.listing.id);
    expect(conversation).toMatchObject({ bookingId: rawId(booking.id), messages: [] });
    const participants = await t.app.db.conversationParticipant.findMany({
      where: { conversationId: conversation!.id },
    });
    expect(participants.map((row) => row.userId).sort()).toEqual([stay.guest.id, stay.host.id].sort());
  });
});

describe("concurrent first messages", () => {
  it("make one conversation, holding every message", async () => {
    const stay = await stayFixture(t);
    const bodies = Array.from({ length: 8 }, (_, index) => `Question ${index}`);
    const results = await Promise.all(
      bodies.map((body) =>
        stay.guest.client.request(SendInquiryDocument, { input: { listingId: stay.listingId, body } }),
      ),
    );
    expect(results.map((result) => result.errors)).toEqual(bodies.map(() => undefined));
    const conversations = await conversationsOf(stay.guest.id, stay.listing.id);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.messages.map((message) => message.body).sort()).toEqual(bodies.sort());
    // One order: no two messages share a time within the conversation.
    const times = new Set(conversations[0]?.messages.map((message) => message.createdAt.getTime()));
    expect(times.size).toBe(bodies.length);
  });

  it("an inquiry racing a booking's message also make one conversation", async () => {
    const stay = await stayFixture(t);
    const [inquiry, booking] = await Promise.all([
      inquire(stay.guest, stay.listingId, "Hello?"),
      book(
        stay.guest,
        bookingInput(stay, { checkIn: "2027-06-01", checkOut: "2027-06-03" }, { message: "Hi!" }),
      ),
    ]);
    const conversations = await conversationsOf(stay.guest.id, stay.listing.id);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({
      id: rawId(inquiry.conversation.id),
      bookingId: rawId(booking.id),
    });
    expect(conversations[0]?.messages).toHaveLength(2);
  });

  it("the database refuses a second conversation of one guest and listing", async () => {
    const stay = await stayFixture(t);
    const data = { guestId: stay.guest.id, listingId: stay.listing.id };
    await t.app.db.conversation.create({ data });
    await expect(t.app.db.conversation.create({ data })).rejects.toThrow();
  });
});
