// The listings module's pub/sub topics.
export interface CalendarChangedEvent {
  listingId: string;
  /** The changed nights, [from, to), as YYYY-MM-DD. */
  from: string;
  to: string;
}

declare module "../../infra/pubsub.ts" {
  interface PubSubTopics {
    listingCalendarChanged: [listingId: string, payload: CalendarChangedEvent];
  }
}
