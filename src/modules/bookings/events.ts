// The bookings module's pub/sub topics: a booking changed state (per booking, and per user for
// "all my bookings" subscribers). Subscribers re-read the booking; the event only says "changed".
import type { BookingStatus } from "../../generated/prisma/enums.ts";

export interface BookingChangedEvent {
  bookingId: string;
  status: BookingStatus;
  /** ISO instant of the change. */
  at: string;
}

declare module "../../infra/pubsub.ts" {
  interface PubSubTopics {
    bookingUpdated: [bookingId: string, payload: BookingChangedEvent];
    userBookingUpdated: [userId: string, payload: BookingChangedEvent];
  }
}
