// Who may see a review: published ones are public; before publication (double-blind) only
// their author and admins see them. One an admin hid is out of every public list; its author
// and admins still see it.
import { isAdmin, type MaybeActor } from "../../core/actor.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

export const publishedGuestReviewsWhere = {
  publishedAt: { not: null },
  hiddenAt: null,
  direction: "GUEST_TO_HOST",
} satisfies Prisma.ReviewWhereInput;

/** Published reviews hosts wrote about their guests (User.reviews). */
export const publishedAboutGuestsWhere = {
  publishedAt: { not: null },
  hiddenAt: null,
  direction: "HOST_TO_GUEST",
} satisfies Prisma.ReviewWhereInput;

export function visibleReviewsWhere(actor: MaybeActor): Prisma.ReviewWhereInput {
  if (isAdmin(actor)) return {};
  const published = {
    publishedAt: { not: null },
    hiddenAt: null,
  } satisfies Prisma.ReviewWhereInput;
  return actor?.kind === "user" ? { OR: [published, { authorId: actor.userId }] } : published;
}
