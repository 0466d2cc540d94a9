// The messaging module's pub/sub topic: a message was added to a conversation. Subscribers
// re-read the message; the event only names it.

export interface MessageAddedEvent {
  conversationId: string;
  messageId: string;
}

declare module "../../infra/pubsub.ts" {
  interface PubSubTopics {
    messageAdded: [conversationId: string, payload: MessageAddedEvent];
  }
}
