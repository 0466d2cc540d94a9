/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment ViewerFields on User {\n  id\n  email\n  firstName\n  lastName\n  avatarUrl\n  bio\n  isHost\n  createdAt\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation RefreshSession($input: RefreshSessionInput!) {\n  refreshSession(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      id\n    }\n  }\n}\n\nmutation LogOut($input: LogOutInput) {\n  logOut(input: $input) {\n    sessionsEnded\n  }\n}\n\nquery Me {\n  me {\n    ...ViewerFields\n  }\n}\n\nquery UserById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on User {\n      email\n      firstName\n    }\n  }\n}\n\nmutation UpdateProfile($input: UpdateProfileInput!) {\n  updateProfile(input: $input) {\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    user {\n      id\n    }\n  }\n}": typeof types.ViewerFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment ViewerFields on User {\n  id\n  email\n  firstName\n  lastName\n  avatarUrl\n  bio\n  isHost\n  createdAt\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation RefreshSession($input: RefreshSessionInput!) {\n  refreshSession(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      id\n    }\n  }\n}\n\nmutation LogOut($input: LogOutInput) {\n  logOut(input: $input) {\n    sessionsEnded\n  }\n}\n\nquery Me {\n  me {\n    ...ViewerFields\n  }\n}\n\nquery UserById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on User {\n      email\n      firstName\n    }\n  }\n}\n\nmutation UpdateProfile($input: UpdateProfileInput!) {\n  updateProfile(input: $input) {\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    user {\n      id\n    }\n  }\n}": types.ViewerFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ViewerFields on User {\n  id\n  email\n  firstName\n  lastName\n  avatarUrl\n  bio\n  isHost\n  createdAt\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation RefreshSession($input: RefreshSessionInput!) {\n  refreshSession(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      id\n    }\n  }\n}\n\nmutation LogOut($input: LogOutInput) {\n  logOut(input: $input) {\n    sessionsEnded\n  }\n}\n\nquery Me {\n  me {\n    ...ViewerFields\n  }\n}\n\nquery UserById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on User {\n      email\n      firstName\n    }\n  }\n}\n\nmutation UpdateProfile($input: UpdateProfileInput!) {\n  updateProfile(input: $input) {\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    user {\n      id\n    }\n  }\n}"): (typeof documents)["fragment ViewerFields on User {\n  id\n  email\n  firstName\n  lastName\n  avatarUrl\n  bio\n  isHost\n  createdAt\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation RefreshSession($input: RefreshSessionInput!) {\n  refreshSession(input: $input) {\n    accessToken\n    refreshToken\n    user {\n      id\n    }\n  }\n}\n\nmutation LogOut($input: LogOutInput) {\n  logOut(input: $input) {\n    sessionsEnded\n  }\n}\n\nquery Me {\n  me {\n    ...ViewerFields\n  }\n}\n\nquery UserById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on User {\n      email\n      firstName\n    }\n  }\n}\n\nmutation UpdateProfile($input: UpdateProfileInput!) {\n  updateProfile(input: $input) {\n    user {\n      ...ViewerFields\n    }\n  }\n}\n\nmutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    user {\n      id\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;