// A local stand-in for other platforms' calendar servers: serves fixture files (or any text) at
// paths a test sets and changes, and misbehaves on request (stalls, redirects, huge bodies).
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { trackOpen } from "../../helpers/leak-check.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

/** A fixture file's text, exactly as stored (CRLF or LF line ends kept). */
export const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

export type FeedRoute =
  | { body: string; contentType?: string; status?: number }
  /** Accepts the request and never answers. */
  | "stall"
  | { redirect: string; status?: number }
  /** Streams this many bytes without a Content-Length. */
  | { streamBytes: number }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export class FeedServer {
  /** Requests served, by path. */
  readonly hits = new Map<string, number>();
  private readonly routes = new Map<string, FeedRoute>();
  private readonly server = createServer((req, res) => this.handle(req, res));
  private release = () => {};
  url = "";

  static async start(): Promise<FeedServer> {
    const feeds = new FeedServer();
    await new Promise<void>((resolve) => feeds.server.listen(0, "127.0.0.1", resolve));
    feeds.url = `http://127.0.0.1:${(feeds.server.address() as AddressInfo).port}`;
    feeds.release = trackOpen(`feed server on ${feeds.url}`);
    return feeds;
  }

  /** Serves `route` at `path` from now on; returns the full URL. */
  set(path: string, route: FeedRoute): string {
    this.routes.set(path, route);
    return `${this.url}${path}`;
  }

  /** Serves a fixture file as text/calendar. */
  serve(path: string, fixtureName: string): string {
    return this.set(path, { body: fixture(fixtureName), contentType: "text/calendar; charset=utf-8" });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections(); // stalled requests
    await closed;
    this.release();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const route = this.routes.get(path);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    } else if (route === "stall") {
      // Never answers; close() ends it.
    } else if (typeof route === "function") {
      route(req, res);
    } else if ("redirect" in route) {
      res.writeHead(route.status ?? 302, { location: route.redirect }).end();
    } else if ("streamBytes" in route) {
      res.writeHead(200, { "content-type": "text/calendar" });
      const chunk = `BEGIN:VCALENDAR\r\n${"X-FILLER:0123456789\r\n".repeat(3_000)}`;
      let sent = 0;
      const pump = () => {
        while (sent < route.streamBytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      pump();
    } else {
      res
        .writeHead(route.status ?? 200, { "content-type": route.contentType ?? "text/calendar" })
        .end(route.body);
    }
  }
}
