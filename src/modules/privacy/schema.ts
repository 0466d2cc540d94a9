// Privacy in the schema: exportMyData and its DataExport node (its owner's only), deleteMyAccount,
// and User.isDeleted for clients that show what a deleted user left behind.
import { DataExportStatus as DataExportStatusValues } from "../../generated/prisma/enums.ts";
import { requireActor } from "../../graphql/actor.ts";
import { builder } from "../../graphql/builder.ts";
import { inputRules } from "../../graphql/validation.ts";
import { UserRef } from "../accounts/schema.ts";
import { passwordLengthRule } from "../accounts/validation.ts";
import { type DeletedAccount, deleteMyAccount } from "./deletion.ts";
import { DELETED_USER_NAME } from "./erasure.ts";
import { type ExportSummary, requestDataExport } from "./exports.ts";

const DataExportStatusEnum = builder.enumType(DataExportStatusValues, {
  name: "DataExportStatus",
  description:
    "PENDING while the archive is built; READY to download once through the e-mailed link; DOWNLOADED or EXPIRED once the archive is gone; FAILED if it could not be built.",
});

const DataExportRef = builder.prismaNode("DataExport", {
  id: { field: "id" },
  description: "An export of the caller's data (exportMyData). Visible to its owner only.",
  // Never the archive: a node read selects only what it shows.
  select: { id: true },
  findUnique: (id, ctx) =>
    ctx.actor?.kind === "user" ? { id, userId: ctx.actor.userId } : { id, userId: { in: [] } },
  fields: (t) => ({
    status: t.expose("status", { type: DataExportStatusEnum }),
    requestedAt: t.expose("requestedAt", { type: "DateTime" }),
    readyAt: t.expose("readyAt", { type: "DateTime", nullable: true }),
    expiresAt: t.expose("expiresAt", {
      type: "DateTime",
      nullable: true,
      description: "Until when the download link works, once READY.",
    }),
    downloadedAt: t.expose("downloadedAt", { type: "DateTime", nullable: true }),
    sizeBytes: t.exposeInt("sizeBytes", { nullable: true, description: "The archive's size, once built." }),
  }),
});

const ExportMyDataPayload = builder.objectRef<{ export: ExportSummary }>("ExportMyDataPayload").implement({
  fields: (t) => ({
    export: t.field({ type: DataExportRef, resolve: (payload) => payload.export }),
  }),
});

const DeleteMyAccountInput = builder.inputType("DeleteMyAccountInput", {
  validate: inputRules({ password: passwordLengthRule }),
  fields: (t) => ({
    password: t.string({ required: true, description: "The current password, as confirmation." }),
  }),
});

const DeleteMyAccountPayload = builder.objectRef<DeletedAccount>("DeleteMyAccountPayload").implement({
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      description: `The account as it is now: "${DELETED_USER_NAME}", with nothing personal left.`,
      resolve: (payload) => payload.user,
    }),
    deletedAt: t.expose("deletedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectFields("User", (t) => ({
  isDeleted: t.boolean({
    description: `The account was deleted: its name reads "${DELETED_USER_NAME}" and its messages are erased.`,
    select: { deletedAt: true },
    resolve: (user) => user.deletedAt !== null,
  }),
}));

builder.mutationFields((t) => ({
  exportMyData: t.field({
    type: ExportMyDataPayload,
    description:
      "Starts an export of everything Roost stores about the caller. When it is ready the caller is notified, and the e-mail carries a link that downloads the JSON archive once, within DATA_EXPORT_TTL_HOURS (24). RATE_LIMITED while another export is being prepared, or past DATA_EXPORTS_PER_DAY (3) a day.",
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => ({ export: await requestDataExport(requireActor(ctx), ctx.app) }),
  }),
  deleteMyAccount: t.field({
    type: DeleteMyAccountPayload,
    description:
      "Deletes the caller's account after their password (BAD_USER_INPUT on `password` when wrong): personal data is erased, sessions end at once, listings are unlisted; bookings, payments and reviews stay, shown as a deleted user's. INVALID_STATE while the caller has a PENDING or CONFIRMED booking as guest or host, or a payout not yet paid.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: DeleteMyAccountInput, required: true }) },
    resolve: (_root, { input }, ctx) => deleteMyAccount(requireActor(ctx), input, ctx.app),
  }),
}));
