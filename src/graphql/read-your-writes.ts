// Read-your-writes across the read replica: a signed-in caller's mutation marks them as a writer
// (infra/read-routing.ts) before it runs, so a read racing its commit (say, on a subscription
// event) already uses the primary, and again when it is done, so the window counts from then.
// Over REST too: the facade's routes execute through this same Yoga.
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { App } from "../app.ts";
import type { Context } from "../context.ts";

export function useReadYourWrites(app: App): Plugin<Context> {
  if (app.reads.maxLagMs === 0) return {};
  return {
    async onExecute({ args }) {
      const userId = args.contextValue.actor?.userId;
      if (!userId || getOperationAST(args.document, args.operationName)?.operation !== "mutation") return;
      await app.reads.noteWrite(userId);
      return { onExecuteDone: () => app.reads.noteWrite(userId) };
    },
  };
}
