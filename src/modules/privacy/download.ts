// GET /exports/{token}: a data export's one-time download, the link its e-mail carries. Outside
// /api (like the iCalendar feed): no bearer token is needed, the token is the secret; but a request
// signed in as someone else is refused, and a refusal uses nothing up. 404 for a token that names
// nothing (or not the caller's), 410 once it was downloaded or has expired.
import type { App } from "../../app.ts";
import { authenticateRequest } from "../accounts/authenticate.ts";
import { claimDownload, EXPORTS_PATH } from "./exports.ts";

type ResponseClass = {
  new (body: string, init?: ResponseInit): Response;
  json(data: unknown, init?: ResponseInit): Response;
};

export const isExportDownloadPath = (pathname: string): boolean => pathname.startsWith(`${EXPORTS_PATH}/`);

export async function handleExportDownload(
  app: App,
  request: Request,
  fetchAPI: { Response: ResponseClass } = globalThis,
): Promise<Response> {
  const { Response } = fetchAPI;
  const failure = (status: number, code: string, message: string, headers?: HeadersInit) =>
    Response.json({ error: { code, message } }, { status, headers });
  if (request.method !== "GET") {
    return failure(405, "BAD_USER_INPUT", "A data export is downloaded with GET", { allow: "GET" });
  }
  const token = new URL(request.url).pathname.slice(EXPORTS_PATH.length + 1);
  const authorization = request.headers.get("authorization");
  const outcome = await claimDownload(app, token, async (ownerId) => {
    if (!authorization) return true;
    const { session } = await authenticateRequest(app, authorization);
    return session?.userId === ownerId;
  });
  switch (outcome.kind) {
    case "not-found":
      return failure(404, "NOT_FOUND", "No such download");
    case "gone":
      return failure(
        410,
        "INVALID_STATE",
        outcome.reason === "downloaded"
          ? "This download link has been used; ask for a new export of your data"
          : "This download link has expired; ask for a new export of your data",
      );
    case "archive": {
      app.logger.info({ exportId: outcome.exportId, userId: outcome.userId }, "data export downloaded");
      const day = outcome.readyAt.toISOString().slice(0, 10);
      return new Response(outcome.json, {
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-disposition": `attachment; filename="roost-data-${day}.json"`,
          "cache-control": "no-store",
        },
      });
    }
  }
}
