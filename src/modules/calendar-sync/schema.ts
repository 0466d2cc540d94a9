// Calendar sync in the schema: the CalendarImport node, Listing.calendarExportUrl and
// Listing.calendarImports (the host's only), and the host's mutations addCalendarImport,
// removeCalendarImport and rotateCalendarExportUrl.
import { z } from "zod";
import { isAdmin, type MaybeActor } from "../../core/actor.ts";
import type { CalendarImport, Listing, Prisma } from "../../generated/prisma/client.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { decodeIdOf, encodeGlobalId } from "../../graphql/global-id.ts";
import { inputRules } from "../../graphql/validation.ts";
import { canManageListing } from "../listings/access.ts";
import { ListingPayload, ListingRef } from "../listings/schema.ts";
import { exportToken, exportUrlOf, rotateCalendarExportUrl } from "./export.ts";
import { addCalendarImport, CALENDAR_IMPORTS_MAX, removeCalendarImport } from "./imports.ts";

/** The listings whose imports the caller may see: their own, or all for admins. */
function managedListingsWhere(actor: MaybeActor): Prisma.ListingWhereInput {
  if (isAdmin(actor)) return {};
  return actor?.kind === "user" ? { hostId: actor.userId } : { id: { in: [] } };
}

export const CalendarImportRef = builder.prismaNode("CalendarImport", {
  id: { field: "id" },
  description:
    "Another platform's iCalendar feed of a listing, fetched periodically: its events block the listing's nights (never over a booking: a conflict is notified to the host instead). Visible to the listing's host and admins only.",
  findUnique: (id, ctx) => ({ id, listing: managedListingsWhere(ctx.actor) }),
  fields: (t) => ({
    url: t.exposeString("url", {
      description: "The feed's address; it usually carries the other platform's secret.",
    }),
    listing: t.relation("listing"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastSyncedAt: t.expose("lastSyncedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the feed was last fetched and applied; null until the first sync succeeds.",
    }),
    lastAttemptAt: t.expose("lastAttemptAt", { type: "DateTime", nullable: true }),
    lastError: t.exposeString("lastError", {
      nullable: true,
      description:
        "Why the last attempt failed (timeout, too large, not a calendar...); null after a success. The blocks of the last success stay meanwhile.",
    }),
    eventCount: t.exposeInt("eventCount", {
      nullable: true,
      description:
        "Events (occurrences of recurring ones counted each) within the next two years, at the last success.",
    }),
  }),
});

builder.prismaObjectFields(ListingRef, (t) => ({
  calendarExportUrl: t.string({
    nullable: true,
    select: { id: true },
    description:
      "The listing's booked and blocked nights as an iCalendar feed, for other platforms to import. Secret: the host's (and admins') only, null for anyone else; rotateCalendarExportUrl replaces it.",
    resolve: async (listing, _args, ctx) =>
      canManageListing(ctx.actor, listing)
        ? exportUrlOf(ctx.app, await exportToken(ctx.app.db, listing.id))
        : null,
  }),
  calendarImports: t.field({
    type: [CalendarImportRef],
    nullable: true,
    select: { id: true },
    description:
      "The calendars imported into this listing, oldest first. The host's (and admins') only, null for anyone else.",
    resolve: (listing, _args, ctx) =>
      canManageListing(ctx.actor, listing)
        ? ctx.app.db.calendarImport.findMany({
            where: { listingId: listing.id },
            orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          })
        : null,
  }),
}));

const listingIdOf = (input: { listingId: string }) => decodeIdOf("Listing", input.listingId, "Listing");
const ownsListing = (_root: unknown, args: { input: { listingId: string } }) => ({
  listingOwner: listingIdOf(args.input),
});

const AddCalendarImportInput = builder.inputType("AddCalendarImportInput", {
  validate: inputRules({ url: z.string().max(2048, "must be at most 2048 characters") }),
  fields: (t) => ({
    listingId: t.id({ required: true }),
    url: t.string({
      required: true,
      description:
        "The other platform's iCalendar export address (https://, http:// or webcal://); it must point to a public host.",
    }),
  }),
});

const AddCalendarImportPayload = builder
  .objectRef<{ calendarImport: CalendarImport }>("AddCalendarImportPayload")
  .implement({
    fields: (t) => ({
      calendarImport: t.field({ type: CalendarImportRef, resolve: (payload) => payload.calendarImport }),
    }),
  });

const RemoveCalendarImportInput = builder.inputType("RemoveCalendarImportInput", {
  fields: (t) => ({ calendarImportId: t.id({ required: true }) }),
});

const RemoveCalendarImportPayload = builder
  .objectRef<{ listing: Listing; removedCalendarImportId: string }>("RemoveCalendarImportPayload")
  .implement({
    fields: (t) => ({
      listing: t.field({ type: ListingRef, resolve: (payload) => payload.listing }),
      removedCalendarImportId: t.id({
        resolve: (payload) => encodeGlobalId("CalendarImport", payload.removedCalendarImportId),
      }),
    }),
  });

const RotateCalendarExportUrlInput = builder.inputType("RotateCalendarExportUrlInput", {
  fields: (t) => ({ listingId: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  addCalendarImport: t.field({
    type: AddCalendarImportPayload,
    description: `Imports another platform's iCalendar feed into the listing's calendar (at most ${CALENDAR_IMPORTS_MAX} per listing); the first sync starts at once. Host or admin only; CONFLICT when the listing already imports that URL.`,
    authScopes: ownsListing,
    args: { input: t.arg({ type: AddCalendarImportInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      calendarImport: await addCalendarImport(
        requireActor(ctx),
        { listingId: listingIdOf(input), url: input.url },
        ctx.app,
      ),
    }),
  }),
  removeCalendarImport: t.field({
    type: RemoveCalendarImportPayload,
    description:
      "Stops importing the feed and frees the nights it blocked. NOT_FOUND for an import of another host's listing.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RemoveCalendarImportInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const calendarImportId = decodeIdOf("CalendarImport", input.calendarImportId, "Calendar import");
      const listing = await removeCalendarImport(requireActor(ctx), { calendarImportId }, ctx.app);
      return { listing, removedCalendarImportId: calendarImportId };
    },
  }),
  rotateCalendarExportUrl: t.field({
    type: ListingPayload("RotateCalendarExportUrlPayload"),
    description:
      "Gives the listing's calendar export a new secret URL (Listing.calendarExportUrl); the old one answers 404 from now on. Host or admin only.",
    authScopes: ownsListing,
    args: { input: t.arg({ type: RotateCalendarExportUrlInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      listing: await rotateCalendarExportUrl(requireActor(ctx), { listingId: listingIdOf(input) }, ctx.app),
    }),
  }),
}));
