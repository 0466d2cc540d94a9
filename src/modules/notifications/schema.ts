// Notifications in the schema: the Notification type (its owner's only), the caller's list and
// unread count, markNotificationsRead, and the notificationAdded subscription.
import { z } from "zod";
import { notFound } from "../../core/errors.ts";
import type { Notification } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf, encodeGlobalId } from "../../graphql/global-id.ts";
import { inputRules } from "../../graphql/validation.ts";
import { MARK_READ_MAX_IDS, markNotificationsRead } from "./service.ts";

const dataId = (notification: Notification, key: string): string | undefined => {
  const data = notification.data;
  const value = data && typeof data === "object" && !Array.isArray(data) ? data[key] : undefined;
  return typeof value === "string" ? value : undefined;
};

export const NotificationRef = builder.prismaNode("Notification", {
  id: { field: "id" },
  description: "Something that happened that its recipient should know of. Visible to that user only.",
  // node(id): anyone but the owner (admins too) gets NOT_FOUND.
  findUnique: (id, ctx) =>
    ctx.actor?.kind === "user" ? { id, userId: ctx.actor.userId } : { id, userId: { in: [] } },
  fields: (t) => ({
    type: t.exposeString("type", {
      description:
        'What happened, as a stable dotted kind: "booking.requested", "booking.confirmed", "booking.declined", "booking.expired", "booking.cancelled", "payout.sent", and more as features add them.',
    }),
    title: t.exposeString("title"),
    body: t.exposeString("body"),
    bookingId: t.id({
      nullable: true,
      description: "The booking it is about, when it is about one.",
      resolve: (n) => {
        const id = dataId(n, "bookingId");
        return id ? encodeGlobalId("Booking", id) : null;
      },
    }),
    readAt: t.expose("readAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const unreadOnlyWhere = (unreadOnly: boolean | null | undefined) => (unreadOnly ? { readAt: null } : {});

builder.queryFields((t) => ({
  notifications: t.prismaConnection(
    {
      type: "Notification",
      cursor: "id",
      description: "The caller's notifications, newest first; only the unread ones with unreadOnly.",
      authScopes: { authenticated: true },
      args: { unreadOnly: t.arg.boolean({ required: false }) },
      totalCount: (_parent, args, ctx) =>
        ctx.app.db.notification.count({
          where: { userId: requireActor(ctx).userId, ...unreadOnlyWhere(args.unreadOnly) },
        }),
      resolve: (query, _root, args, ctx) =>
        ctx.app.db.notification.findMany({
          ...query,
          where: { userId: requireActor(ctx).userId, ...unreadOnlyWhere(args.unreadOnly) },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "NotificationConnection" },
    { name: "NotificationEdge" },
  ),
  unreadNotificationCount: t.int({
    description: "How many of the caller's notifications are unread (a badge's number).",
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) =>
      ctx.app.db.notification.count({ where: { userId: requireActor(ctx).userId, readAt: null } }),
  }),
}));

const MarkNotificationsReadInput = builder.inputType("MarkNotificationsReadInput", {
  validate: inputRules({ notificationIds: z.array(z.string()).max(MARK_READ_MAX_IDS).nullish() }),
  fields: (t) => ({
    notificationIds: t.idList({
      description: `The notifications to mark read (at most ${MARK_READ_MAX_IDS}); omitted or null: all of the caller's. NOT_FOUND, and nothing marked, when one is not the caller's.`,
    }),
  }),
});

const MarkNotificationsReadPayload = builder
  .objectRef<{ markedCount: number; notifications: Notification[]; userId: string }>(
    "MarkNotificationsReadPayload",
  )
  .implement({
    fields: (t) => ({
      markedCount: t.exposeInt("markedCount", {
        description: "How many were unread and are read now (already read ones keep their readAt).",
      }),
      notifications: t.field({
        type: [NotificationRef],
        description: "The notifications named in the input, as they are now; empty when all were marked.",
        resolve: (payload) => payload.notifications,
      }),
      unreadCount: t.int({
        description: "The caller's unread notifications after the change.",
        resolve: (payload, _args, ctx) =>
          ctx.app.db.notification.count({ where: { userId: payload.userId, readAt: null } }),
      }),
    }),
  });

builder.mutationField("markNotificationsRead", (t) =>
  t.field({
    type: MarkNotificationsReadPayload,
    description: "Marks the caller's notifications read: the named ones, or all of them.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: MarkNotificationsReadInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const actor = requireActor(ctx);
      const notificationIds = input.notificationIds?.map((id) =>
        decodeIdOf("Notification", String(id), "Notification"),
      );
      const result = await markNotificationsRead(actor, { notificationIds }, ctx.app);
      return { ...result, userId: actor.userId };
    },
  }),
);

builder.subscriptionField("notificationAdded", (t) =>
  t.field({
    type: NotificationRef,
    description: "The caller's new notifications, as they are created.",
    authScopes: { authenticated: true },
    subscribe: (_root, _args, ctx) => ctx.app.pubsub.subscribe("notificationAdded", requireActor(ctx).userId),
    // Read now, as its owner: the event only names it.
    resolve: async (event, _args, ctx) => {
      const notification = await ctx.app.db.notification.findFirst({
        where: { id: event.notificationId, userId: requireActor(ctx).userId },
      });
      if (!notification) throw notFound("Notification");
      return notification;
    },
  }),
);
