// Who may see a review: published ones are public; before publication (double-blind) only
// their author and admins see them.
import type { Viewer } from "../../context.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

export const publishedGuestReviewsWhere = {
  publishedAt: { not: null },
  direction: "GUEST_TO_HOST",
} satisfies Prisma.ReviewWhereInput;

export function visibleReviewsWhere(viewer: Viewer | null): Prisma.ReviewWhereInput {
  if (viewer?.role === "ADMIN") return {};
  const published = {
    publishedAt: { not: null },
  } satisfies Prisma.ReviewWhereInput;
  return viewer ? { OR: [published, { authorId: viewer.id }] } : published;
}
