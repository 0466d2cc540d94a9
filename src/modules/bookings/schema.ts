// Bookings in the schema: the Booking and Payment types, the guest's and host's lists, the
// booking mutations and the bookingUpdated subscription. Resolvers parse, declare who may act
// (bookingParty) and call the use cases.
import { builder } from "../../graphql/builder.ts";
import { requireActor } from "../../graphql/actor.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { inputRules, textRule } from "../../graphql/validation.ts";
import { isAdmin, type MaybeActor } from "../../core/actor.ts";
import { formatCalendarDate } from "../../core/calendar-date.ts";
import { notFound } from "../../core/errors.ts";
import {
  ActorRole as ActorRoleValues,
  BookingStatus as BookingStatusValues,
  PaymentStatus as PaymentStatusValues,
  PayoutStatus as PayoutStatusValues,
} from "../../generated/prisma/enums.ts";
import type { Booking, Prisma } from "../../generated/prisma/client.ts";
import { CancellationPolicyEnum } from "../listings/enums.ts";
import { calendarDate } from "../listings/calendar.ts";
import { money } from "../pricing/money.ts";
import { QuoteRef } from "../pricing/quote-schema.ts";
import { MoneyRef } from "../pricing/schema.ts";
import { idempotent } from "../../infra/idempotency.ts";
import { acceptBooking, bookingCodec, canViewBooking, cancelBooking, declineBooking } from "./lifecycle.ts";
import { BOOKING_MESSAGE_MAX, requestBooking } from "./request.ts";
import { readSnapshot } from "./snapshot.ts";
import type { BookingChangedEvent } from "./events.ts";
import { validateIdempotencyKey } from "../../infra/idempotency.ts";

export const BookingStatusEnum = builder.enumType(BookingStatusValues, { name: "BookingStatus" });
const PaymentStatusEnum = builder.enumType(PaymentStatusValues, { name: "PaymentStatus" });
const ActorRoleEnum = builder.enumType(ActorRoleValues, {
  name: "BookingActorRole",
  description: "Who ended a booking.",
});

/** The bookings an actor may see, as a query filter: their trips and reservations (all, for admins). */
export function visibleBookingsWhere(actor: MaybeActor): Prisma.BookingWhereInput {
  if (isAdmin(actor)) return {};
  if (actor?.kind !== "user") return { id: { in: [] } };
  return { OR: [{ guestId: actor.userId }, { hostId: actor.userId }] };
}

export const PaymentRef = builder.prismaObject("Payment", {
  description: "The guest's payment for a booking.",
  fields: (t) => ({
    status: t.expose("status", { type: PaymentStatusEnum }),
    amount: t.field({ type: MoneyRef, resolve: (p) => money(Number(p.amount), p.currency) }),
    captured: t.field({ type: MoneyRef, resolve: (p) => money(Number(p.captured), p.currency) }),
    refunded: t.field({ type: MoneyRef, resolve: (p) => money(Number(p.refunded), p.currency) }),
  }),
});

export const BookingRef = builder.prismaNode("Booking", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ ...visibleBookingsWhere(ctx.actor), id }),
  fields: (t) => ({
    status: t.expose("status", { type: BookingStatusEnum }),
    checkIn: t.field({ type: "Date", resolve: (b) => formatCalendarDate(b.checkIn) }),
    checkOut: t.field({ type: "Date", resolve: (b) => formatCalendarDate(b.checkOut) }),
    nights: t.exposeInt("nights"),
    guests: t.exposeInt("guests"),
    listing: t.relation("listing"),
    guest: t.relation("guest"),
    host: t.relation("host"),
    total: t.field({ type: MoneyRef, resolve: (b) => money(Number(b.total), b.currency) }),
    quote: t.field({
      type: QuoteRef,
      description: "The quote the guest agreed to, as it stood when they booked.",
      resolve: (b) => {
        const snapshot = readSnapshot(b.quote);
        return { ...snapshot.quote, checkIn: snapshot.checkIn, checkOut: snapshot.checkOut };
      },
    }),
    payment: t.relation("payment", { nullable: true }),
    cancellationPolicy: t.expose("cancellationPolicy", { type: CancellationPolicyEnum }),
    message: t.exposeString("message", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", {
      type: "DateTime",
      nullable: true,
      description: "When a PENDING request expires unanswered.",
    }),
    confirmedAt: t.expose("confirmedAt", { type: "DateTime", nullable: true }),
    cancelledAt: t.expose("cancelledAt", { type: "DateTime", nullable: true }),
    cancelledBy: t.expose("cancelledBy", { type: ActorRoleEnum, nullable: true }),
  }),
});

export const PayoutStatusEnum = builder.enumType(PayoutStatusValues, {
  name: "PayoutStatus",
});

builder.prismaNode("Payout", {
  id: { field: "id" },
  findUnique: (id, ctx) =>
    isAdmin(ctx.actor) ? { id } : { id, hostId: ctx.actor?.kind === "user" ? ctx.actor.userId : "" },
  fields: (t) => ({
    status: t.expose("status", { type: PayoutStatusEnum }),
    amount: t.field({ type: MoneyRef, resolve: (p) => money(Number(p.amount), p.currency) }),
    fee: t.field({
      type: MoneyRef,
      description: "Roost's host fee, kept.",
      resolve: (p) => money(Number(p.fee), p.currency),
    }),
    scheduledFor: t.expose("scheduledFor", { type: "DateTime" }),
    paidAt: t.expose("paidAt", { type: "DateTime", nullable: true }),
    booking: t.relation("booking"),
  }),
});

const statusFilter = (
  status:
    | readonly ("PENDING" | "CONFIRMED" | "DECLINED" | "EXPIRED" | "CANCELLED" | "COMPLETED")[]
    | null
    | undefined,
) => (status?.length ? { status: { in: [...status] } } : {});

builder.queryFields((t) => ({
  booking: t.prismaField({
    type: "Booking",
    nullable: true,
    description: "A booking of the caller's, as guest or host. NOT_FOUND for anyone else's.",
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = decodeIdOf("Booking", args.id, "Booking");
      const booking = await ctx.app.db.booking.findUnique({ ...query, where: { id } });
      if (!booking || !canViewBooking(ctx.actor, booking)) throw notFound("Booking");
      return booking;
    },
  }),
  myTrips: t.prismaConnection(
    {
      type: "Booking",
      cursor: "id",
      description: "The caller's bookings as a guest, soonest check-in first.",
      authScopes: { authenticated: true },
      args: { status: t.arg({ type: [BookingStatusEnum], required: false }) },
      totalCount: (_parent, args, ctx) =>
        ctx.app.db.booking.count({
          where: { guestId: requireActor(ctx).userId, ...statusFilter(args.status) },
        }),
      resolve: (query, _root, args, ctx) =>
        ctx.app.db.booking.findMany({
          ...query,
          where: { guestId: requireActor(ctx).userId, ...statusFilter(args.status) },
          orderBy: [{ checkIn: "asc" }, { id: "asc" }],
        }),
    },
    { name: "MyTripsConnection" },
    { name: "MyTripsEdge" },
  ),
  hostReservations: t.prismaConnection(
    {
      type: "Booking",
      cursor: "id",
      description: "Bookings of the caller's listings (or of one of them), soonest check-in first.",
      authScopes: { authenticated: true },
      args: {
        listingId: t.arg.id({ required: false }),
        status: t.arg({ type: [BookingStatusEnum], required: false }),
      },
      totalCount: (_parent, args, ctx) =>
        ctx.app.db.booking.count({ where: reservationsWhere(ctx.actor, args) }),
      resolve: (query, _root, args, ctx) =>
        ctx.app.db.booking.findMany({
          ...query,
          where: reservationsWhere(ctx.actor, args),
          orderBy: [{ checkIn: "asc" }, { id: "asc" }],
        }),
    },
    { name: "HostReservationsConnection" },
    { name: "HostReservationsEdge" },
  ),
  hostPayouts: t.prismaConnection(
    {
      type: "Payout",
      cursor: "id",
      description: "The caller's payouts as a host, newest first.",
      authScopes: { authenticated: true },
      totalCount: (_parent, _args, ctx) =>
        ctx.app.db.payout.count({ where: { hostId: requireActor(ctx).userId } }),
      resolve: (query, _root, _args, ctx) =>
        ctx.app.db.payout.findMany({
          ...query,
          where: { hostId: requireActor(ctx).userId },
          orderBy: [{ scheduledFor: "desc" }, { id: "desc" }],
        }),
    },
    { name: "HostPayoutsConnection" },
    { name: "HostPayoutsEdge" },
  ),
}));

function reservationsWhere(
  actor: MaybeActor,
  args: { listingId?: string | null; status?: Parameters<typeof statusFilter>[0] },
): Prisma.BookingWhereInput {
  const hostId = actor?.kind === "user" ? actor.userId : "";
  // Another host's listing id names no reservation of the caller's: the list is empty, nothing leaks.
  const listing = args.listingId ? { listingId: decodeIdOf("Listing", args.listingId, "Listing") } : {};
  return { hostId, ...listing, ...statusFilter(args.status) };
}

// ─── Mutations ───────────────────────────────────────────────────────────────

const idempotencyKeyField =
  "A client-chosen key (up to 255 characters): a retry with it returns the first answer.";

const RequestBookingInput = builder.inputType("RequestBookingInput", {
  validate: inputRules({ message: textRule({ max: BOOKING_MESSAGE_MAX, multiline: true }).nullish() }),
  fields: (t) => ({
    listingId: t.id({ required: true }),
    checkIn: t.field({ type: "Date", required: true }),
    checkOut: t.field({ type: "Date", required: true }),
    guests: t.int({ required: true }),
    message: t.string({ description: `To the host, at most ${BOOKING_MESSAGE_MAX} characters.` }),
    paymentMethod: t.string({ required: true, description: "A payment provider token, e.g. pm_card_visa." }),
    idempotencyKey: t.string({ description: `Required. ${idempotencyKeyField}` }),
  }),
});

const bookingIdInput = (name: string, extra: { reason?: boolean; keyRequired?: boolean } = {}) =>
  builder.inputType(name, {
    validate: inputRules({ reason: textRule({ max: 1_000, multiline: true }).nullish() }),
    fields: (t) => ({
      bookingId: t.id({ required: true }),
      ...(extra.reason ? { reason: t.string({ description: "At most 1,000 characters." }) } : {}),
      idempotencyKey: t.string({
        description: `${extra.keyRequired ? "Required" : "Optional"}. ${idempotencyKeyField}`,
      }),
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

/** Runs a booking change once per idempotency key (when one is given, or `required`). */
function withKey(
  ctx: Parameters<typeof requireActor>[0],
  operation: string,
  input: { idempotencyKey?: string | null; bookingId: string; reason?: string | null },
  required: boolean,
  run: () => Promise<Booking>,
): Promise<Booking> {
  if (!required && input.idempotencyKey == null) return run();
  const actor = requireActor(ctx);
  const key = validateIdempotencyKey(input.idempotencyKey);
  const { idempotencyKey: _key, ...rest } = input;
  return idempotent(ctx.app, { userId: actor.userId, key, operation, input: rest }, bookingCodec(), run);
}

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
      booking: await withKey(ctx, "acceptBooking", input, false, () =>
        acceptBooking(requireActor(ctx), { bookingId: bookingIdOf(input) }, ctx.app),
      ),
    }),
  }),
  declineBooking: t.field({
    type: BookingPayload("DeclineBookingPayload"),
    description: "The host declines a PENDING request: its nights are freed and the guest's hold released.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: DeclineBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await withKey(ctx, "declineBooking", input, false, () =>
        declineBooking(requireActor(ctx), { bookingId: bookingIdOf(input), reason: input.reason }, ctx.app),
      ),
    }),
  }),
  cancelBooking: t.field({
    type: BookingPayload("CancelBookingPayload"),
    description:
      "The guest or the host cancels a PENDING or CONFIRMED booking. Nights are freed; refunds follow the policy agreed at booking (a host cancellation refunds everything).",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CancelBookingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      booking: await withKey(ctx, "cancelBooking", input, true, () =>
        cancelBooking(requireActor(ctx), { bookingId: bookingIdOf(input), reason: input.reason }, ctx.app),
      ),
    }),
  }),
}));

// ─── Subscription ────────────────────────────────────────────────────────────

const BookingEventRef = builder
  .objectRef<{ event: BookingChangedEvent; booking: Booking }>("BookingEvent")
  .implement({
    description: "A booking changed: its new status, the booking as it is now, and when.",
    fields: (t) => ({
      type: t.field({ type: BookingStatusEnum, resolve: ({ event }) => event.status }),
      booking: t.field({ type: BookingRef, resolve: ({ booking }) => booking }),
      at: t.field({ type: "DateTime", resolve: ({ event }) => new Date(event.at) }),
    }),
  });

builder.subscriptionField("bookingUpdated", (t) =>
  t.field({
    type: BookingEventRef,
    description:
      "Changes to one booking of the caller's (as guest or host), or to all of them without bookingId. NOT_FOUND for anyone else's booking.",
    authScopes: { authenticated: true },
    args: { bookingId: t.arg.id({ required: false }) },
    subscribe: async (_root, args, ctx) => {
      const actor = requireActor(ctx);
      if (!args.bookingId) return ctx.app.pubsub.subscribe("userBookingUpdated", actor.userId);
      const id = decodeIdOf("Booking", args.bookingId, "Booking");
      const booking = await ctx.app.db.booking.findUnique({
        where: { id },
        select: { guestId: true, hostId: true },
      });
      if (!booking || !canViewBooking(actor, booking)) throw notFound("Booking");
      return ctx.app.pubsub.subscribe("bookingUpdated", id);
    },
    // Read now, so subscribers see committed state; the event only says what changed.
    resolve: async (event, _args, ctx) => {
      const booking = await ctx.app.db.booking.findUnique({ where: { id: event.bookingId } });
      if (!booking || !canViewBooking(ctx.actor, booking)) throw notFound("Booking");
      return { event, booking };
    },
  }),
);
