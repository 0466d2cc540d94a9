// The booking mutations in the schema: request, accept, decline, cancel. Resolvers decode ids and
// call the use cases, which decide who may act (NOT_FOUND for anyone who is not a party).
import type { Booking } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules, textRule } from "../../graphql/validation.ts";
import { calendarDate } from "../listings/calendar.ts";
import { acceptBooking, cancelBooking, declineBooking } from "./lifecycle.ts";
import { BOOKING_MESSAGE_MAX, requestBooking } from "./request.ts";
import { BookingRef } from "./schema.ts";

const idempotencyKeyField =
  "A client-chosen key (up to 255 characters): a retry with it returns the first answer.";

const RequestBookingInput = builder.inputType("RequestBookingInput", {
  validate: inputRules({
    message: textRule({ max: BOOKING_MESSAGE_MAX, multiline: true }).nullish(),
    // A provider token (pm_...): short, one line; stored with the payment attempt.
    paymentMethod: textRule({ min: 1, max: 255 }),
  }),
  fields: (t) => ({
    listingId: t.id({ required: true }),
    checkIn: t.field({ type: "Date", required: true }),
    checkOut: t.field({ type: "Date", required: true }),
    guests: t.int({ required: true }),
    message: t.string({ description: `To the host, at most ${BOOKING_MESSAGE_MAX} characters.` }),
    paymentMethod: t.string({ required: true, description: "A payment provider token, e.g. pm_card_visa." }),
    idempotencyKey: t.string({ required: true, description: idempotencyKeyField }),
  }),
});

const bookingIdInput = (name: string, extra: { reason?: boolean; keyRequired?: boolean } = {}) =>
  builder.inputType(name, {
    validate: inputRules({ reason: textRule({ max: 1_000, multiline: true }).nullish() }),
    fields: (t) => ({
      bookingId: t.id({ required: true }),
      ...(extra.reason ? { reason: t.string({ description: "At most 1,000 characters." }) } : {}),
      // Non-null where it is required, so typed clients and the OpenAPI document say so too.
      idempotencyKey: extra.keyRequired
        ? t.string({ required: true, description: idempotencyKeyField })
        : t.string({ description: `Optional. ${idempotencyKeyField}` }),
    }),
  });

const AcceptBookingInput = bookingIdInput("AcceptBookingInput");
const DeclineBookingInput = bookingIdInput("DeclineBookingInput", { reason: true });
const CancelBookingInput = bookingIdInput("CancelBookingInput", { reason: true, keyRequired: true });

const BookingPayload = (name: string) =>
  builder.objectRef<{ booking: Booking }>(name).implement({
    fields: (t) => ({ booking: t.field({ type: BookingRef, resolve: (payload) => payload.booking }) }),
  });

const bookingIdOf = (input: { bookingId: string }) => decodeIdOf("Booking", input.bookingId, "Booking");

builder.mutationFields((t) => ({
  requestBooking: t.field({
    type: BookingPayload("RequestBookingPayload"),
    description:
      "Books a stay: CONFIRMED at once on instant-book listings, else PENDING until the host answers (24 h). The guest's money is held at request and taken on confirmation. DATES_UNAVAILABLE when a night is taken, PAYMENT_FAILED when the card is refused.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RequestBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await requestBooking(
        requireActor(ctx),
        {
          ...input,
          listingId: decodeIdOf("Listing", input.listingId, "Listing"),
          checkIn: calendarDate(input.checkIn, "checkIn"),
          checkOut: calendarDate(input.checkOut, "checkOut"),
        },
        ctx.app,
      ),
    }),
  }),
  acceptBooking: t.field({
    type: BookingPayload("AcceptBookingPayload"),
    description:
      "The host accepts a PENDING request: the guest's payment is captured. PAYMENT_FAILED leaves it PENDING.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: AcceptBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await acceptBooking(requireActor(ctx), { ...input, bookingId: bookingIdOf(input) }, ctx.app),
    }),
  }),
  declineBooking: t.field({
    type: BookingPayload("DeclineBookingPayload"),
    description: "The host declines a PENDING request: its nights are freed and the guest's hold released.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: DeclineBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await declineBooking(requireActor(ctx), { ...input, bookingId: bookingIdOf(input) }, ctx.app),
    }),
  }),
  cancelBooking: t.field({
    type: BookingPayload("CancelBookingPayload"),
    description:
      "The guest or the host cancels a PENDING or CONFIRMED booking. Nights are freed; refunds follow the policy agreed at booking (a host cancellation refunds everything).",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CancelBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await cancelBooking(requireActor(ctx), { ...input, bookingId: bookingIdOf(input) }, ctx.app),
    }),
  }),
}));
