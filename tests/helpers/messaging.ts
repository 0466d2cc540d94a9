// Messaging fixtures shared by the messaging tests: an inquiry and a reply through the API, as a
// client would send them, and a conversation read as a given user.
import {
  ConversationDocument,
  type ConversationQueryVariables,
  SendInquiryDocument,
  SendMessageDocument,
} from "../../schema/generated/graphql.ts";
import type { TestUser } from "./factories.ts";

/** Sends an inquiry about a listing (Relay id) and returns the message (the test fails on any error). */
export async function inquire(guest: TestUser, listingId: string, body = "Is it quiet at night?") {
  return (await guest.client.ok(SendInquiryDocument, { input: { listingId, body } })).sendMessage.message;
}

/** Writes in a conversation (Relay id) and returns the message. */
export async function reply(user: TestUser, conversationId: string, body = "It is, yes.") {
  return (await user.client.ok(SendMessageDocument, { input: { conversationId, body } })).sendMessage.message;
}

/** The conversation as the user sees it (the test fails on any error). */
export async function conversationAs(
  user: TestUser,
  id: string,
  page: Omit<ConversationQueryVariables, "id"> = {},
) {
  const conversation = (await user.client.ok(ConversationDocument, { id, ...page })).conversation;
  if (!conversation) throw new Error(`conversation ${id} not visible`);
  return conversation;
}
