// The notifications module's pub/sub topic: a notification was created for a user. Subscribers
// re-read it (its owner only); the event only names it.
export interface NotificationAddedEvent {
  notificationId: string;
}

declare module "../../infra/pubsub.ts" {
  interface PubSubTopics {
    notificationAdded: [userId: string, payload: NotificationAddedEvent];
  }
}
