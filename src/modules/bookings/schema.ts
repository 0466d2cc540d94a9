// Bookings in the schema: the Booking, Payment and Payout types, the guest's and host's lists and
// the bookingUpdated subscription (the mutations are in mutation-schema.ts).
import { builder } from "../../graphql/builder.ts";
import { requireActor } from "../../graphql/actor.ts";
import { decodeIdOf } from "../../graphql/global-id.ts";
import { type Actor, isAdmin, type MaybeActor } from "../../core/actor.ts";
import { formatCalendarDate } from "../../core/calendar-date.ts";
import { notFound } from "../../core/errors.ts";
import {
  type BookingStatus,
  ActorRole as ActorRoleValues,
  BookingStatus as BookingStatusValues,
  PaymentStatus as PaymentStatusValues,
  PayoutStatus as PayoutStatusValues,
} from "../../generated/prisma/enums.ts";
import type { Booking, Prisma } from "../../generated/prisma/client.ts";
import type { Context } from "../../context.ts";
import { viewableListing } from "../listings/access.ts";
import { CancellationPolicyEnum } from "../listings/enums.ts";
import { money } from "../pricing/money.ts";
import { QuoteRef } from "../pricing/quote-schema.ts";
import { MoneyRef } from "../pricing/schema.ts";
import { canViewBooking, partyOf } from "./lifecycle.ts";
import { readSnapshot } from "./snapshot.ts";
import type { BookingChangedEvent } from "./events.ts";

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
  // node(id): a payout is its host's (and admins') only.
  findUnique: (id, ctx) => {
    if (isAdmin(ctx.actor)) return { id };
    return ctx.actor?.kind === "user" ? { id, hostId: ctx.actor.userId } : { id, hostId: { in: [] } };
  },
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

const statusFilter = (status: readonly BookingStatus[] | null | undefined) =>
  status?.length ? { status: { in: [...status] } } : {};

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
      totalCount: async (_parent, args, ctx) =>
        ctx.app.db.booking.count({ where: await reservationsWhere(ctx, args) }),
      resolve: async (query, _root, args, ctx) =>
        ctx.app.db.booking.findMany({
          ...query,
          where: await reservationsWhere(ctx, args),
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

/**
 * The caller's reservations. A listing the caller cannot see is NOT_FOUND (contract §3); another
 * host's public listing names none of the caller's reservations: the list is empty.
 */
async function reservationsWhere(
  ctx: Context,
  args: { listingId?: string | null; status?: Parameters<typeof statusFilter>[0] },
): Promise<Prisma.BookingWhereInput> {
  const actor = requireActor(ctx);
  const listingId = args.listingId ? decodeIdOf("Listing", args.listingId, "Listing") : undefined;
  if (listingId) await viewableListing(actor, listingId, ctx.app);
  return { hostId: actor.userId, ...(listingId ? { listingId } : {}), ...statusFilter(args.status) };
}

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

/** Live updates go to the booking's guest and host only; admins read bookings but do not watch them. */
const isBookingParty = (actor: Actor, booking: Pick<Booking, "guestId" | "hostId">): boolean => {
  const party = partyOf(actor, booking);
  return party === "GUEST" || party === "HOST";
};

builder.subscriptionField("bookingUpdated", (t) =>
  t.field({
    type: BookingEventRef,
    description:
      "Changes to one booking of the caller's (as guest or host), or to all of them without bookingId. NOT_FOUND for anyone else's booking, admins included.",
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
      if (!booking || !isBookingParty(actor, booking)) throw notFound("Booking");
      return ctx.app.pubsub.subscribe("bookingUpdated", id);
    },
    // Read now, so subscribers see committed state; the event only says what changed.
    resolve: async (event, _args, ctx) => {
      const booking = await ctx.app.db.booking.findUnique({ where: { id: event.bookingId } });
      if (!booking || !ctx.actor || !isBookingParty(ctx.actor, booking)) throw notFound("Booking");
      return { event, booking };
    },
  }),
);
