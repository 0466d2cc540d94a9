// Accounts in the schema: the User node, `me`, and the session and profile mutations.
import { type Context, userActor } from "../../context.ts";
import type { User } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { inputRules } from "../../graphql/validation.ts";
import { requireActor } from "../../graphql/actor.ts";
import * as accounts from "./service.ts";
import {
  bioRule,
  emailRule,
  httpUrlRule,
  nameRule,
  newPasswordRule,
  normalizeEmail,
  passwordLengthRule,
} from "./validation.ts";

export const UserRef = builder.prismaNode("User", {
  id: { field: "id" },
  // Only the columns a query asks for: a nested host or author never drags password_hash along.
  select: { id: true },
  fields: (t) => ({
    email: t.exposeString("email", {
      nullable: true,
      description: "Visible to the user themself and to admins; null for everyone else.",
      authScopes: (user) => ({ selfOrAdmin: user.id }),
      unauthorizedResolver: () => null,
    }),
    firstName: t.exposeString("firstName"),
    lastName: t.exposeString("lastName"),
    avatarUrl: t.exposeString("avatarUrl", { nullable: true }),
    bio: t.exposeString("bio", { nullable: true }),
    isHost: t.boolean({ select: { role: true }, resolve: (user) => user.role === "HOST" }),
    isAdmin: t.boolean({ select: { role: true }, resolve: (user) => user.role === "ADMIN" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const AuthPayload = builder.objectRef<accounts.AuthResult>("AuthPayload").implement({
  description: "A fresh session: a 15-minute access token and a single-use refresh token.",
  fields: (t) => ({
    accessToken: t.exposeString("accessToken"),
    refreshToken: t.exposeString("refreshToken"),
    user: t.field({ type: UserRef, resolve: (payload) => payload.user }),
  }),
});

const SignUpInput = builder.inputType("SignUpInput", {
  validate: inputRules({
    email: emailRule,
    password: newPasswordRule,
    firstName: nameRule,
    lastName: nameRule,
  }),
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true, description: "At least 8 characters." }),
    firstName: t.string({ required: true }),
    lastName: t.string({ required: true }),
  }),
});

const LogInInput = builder.inputType("LogInInput", {
  // No password is longer than sign-up allows: refuse before hashing megabytes.
  validate: inputRules({ email: emailRule, password: passwordLengthRule }),
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

const RefreshSessionInput = builder.inputType("RefreshSessionInput", {
  fields: (t) => ({ refreshToken: t.string({ required: true }) }),
});

const LogOutInput = builder.inputType("LogOutInput", {
  fields: (t) => ({
    refreshToken: t.string({ description: "End this token's session (works with an expired access token)." }),
    allSessions: t.boolean({ description: "End every session of the signed-in user." }),
  }),
});

const LogOutPayload = builder.objectRef<{ sessionsEnded: number }>("LogOutPayload").implement({
  fields: (t) => ({ sessionsEnded: t.exposeInt("sessionsEnded") }),
});

const UpdateProfileInput = builder.inputType("UpdateProfileInput", {
  validate: inputRules({
    firstName: nameRule.nullish(),
    lastName: nameRule.nullish(),
    avatarUrl: httpUrlRule.nullish(),
    bio: bioRule.nullish(),
  }),
  fields: (t) => ({
    firstName: t.string(),
    lastName: t.string(),
    avatarUrl: t.string({ description: "null removes the avatar." }),
    bio: t.string({ description: "null removes the bio." }),
  }),
});

const ChangePasswordInput = builder.inputType("ChangePasswordInput", {
  validate: inputRules({ currentPassword: passwordLengthRule, newPassword: newPasswordRule }),
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({ required: true }),
  }),
});

const UserPayload = (name: string) =>
  builder.objectRef<{ user: User }>(name).implement({
    fields: (t) => ({ user: t.field({ type: UserRef, resolve: (payload) => payload.user }) }),
  });
const UpdateProfilePayload = UserPayload("UpdateProfilePayload");
const ChangePasswordPayload = UserPayload("ChangePasswordPayload");

/** The rest of this request (the payload's fields) is answered for the user just signed in. */
function actAs(ctx: Context, result: accounts.AuthResult): accounts.AuthResult {
  ctx.actor = userActor(
    { userId: result.user.id, role: result.user.role, sessionId: result.sessionId },
    ctx.origin,
  );
  return result;
}

builder.queryField("me", (t) =>
  t.prismaField({
    type: "User",
    nullable: true,
    description: "The signed-in user. UNAUTHENTICATED without a valid access token.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.app.db.user.findUnique({ ...query, where: { id: requireActor(ctx).userId } }),
  }),
);

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      actAs(
        ctx,
        await accounts.signUp(
          {
            email: normalizeEmail(input.email),
            password: input.password,
            firstName: input.firstName.trim(),
            lastName: input.lastName.trim(),
          },
          ctx.origin,
          ctx.app,
        ),
      ),
  }),
  logIn: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      actAs(
        ctx,
        await accounts.logIn(
          { email: normalizeEmail(input.email), password: input.password },
          ctx.origin,
          ctx.app,
        ),
      ),
  }),
  refreshSession: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: RefreshSessionInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      actAs(ctx, await accounts.refreshSession(input, ctx.origin, ctx.app)),
  }),
  logOut: t.field({
    type: LogOutPayload,
    description: "Ends a session. Needs either an access token or the session's refresh token.",
    args: { input: t.arg({ type: LogOutInput }) },
    resolve: async (_root, { input }, ctx) => ({
      sessionsEnded: await accounts.logOut(ctx.actor, input ?? {}, ctx.app),
    }),
  }),
  updateProfile: t.field({
    type: UpdateProfilePayload,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: UpdateProfileInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      user: await accounts.updateProfile(
        requireActor(ctx),
        {
          firstName: input.firstName?.trim(),
          lastName: input.lastName?.trim(),
          avatarUrl: input.avatarUrl,
          bio: input.bio,
        },
        ctx.app,
      ),
    }),
  }),
  changePassword: t.field({
    type: ChangePasswordPayload,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      user: await accounts.changePassword(requireActor(ctx), input, ctx.app),
    }),
  }),
}));
