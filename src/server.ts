// The HTTP server: Yoga at /graphql plus the plain routes (health, readiness, metrics, webhooks,
// data export downloads, calendar feeds).
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { App } from "./app.ts";
import { type Context, createContext } from "./context.ts";
import { useNulGuard } from "./graphql/nul-guard.ts";
import { useRoostPersistedOperations } from "./graphql/persisted-operations.ts";
import { useReadYourWrites } from "./graphql/read-your-writes.ts";
import { useResponseCache } from "./graphql/response-cache.ts";
import { findAppError } from "./core/errors.ts";
import { maskUnexpectedError } from "./graphql/errors.ts";
import { useErrorCodes, useErrorLogging, useQueryLimits } from "./graphql/plugins.ts";
import { schema } from "./graphql/schema.ts";
import { useBodyLimit } from "./http/body-limit.ts";
import { clientIpResolver } from "./http/client-ip.ts";
import { useCors } from "./http/cors.ts";
import { useJsonPostsOnly } from "./http/json-only.ts";
import { useRetryAfterHeader } from "./http/retry-after.ts";
import { methodLabel, routeLabel } from "./http/route-label.ts";
import { useSecurityHeaders } from "./http/security-headers.ts";
import { pingDatabase } from "./infra/db.ts";
import { describeError } from "./infra/logger.ts";
import { pingRedis } from "./infra/redis.ts";
import { EXPORT_PREFIX, handleCalendarExport } from "./modules/calendar-sync/export.ts";
import { handleStripeWebhook, STRIPE_WEBHOOK_PATH } from "./modules/payments/stripe-webhook.ts";
import { handleExportDownload, isExportDownloadPath } from "./modules/privacy/download.ts";
import { docsPages } from "./rest/docs.ts";
import { type RestServerContext, useRestFacade } from "./rest/facade.ts";
import { compileRoutes } from "./rest/route-table.ts";

type ServerContext = { req?: IncomingMessage } & RestServerContext;
export type Yoga = YogaServerInstance<ServerContext, Context>;

const MAX_BODY_BYTES = 1_000_000;

/** What GraphiQL's editor starts with: a search a newcomer can run as is. */
const graphiqlDefaultQuery = `# Listings near Lisbon for two guests, cheapest first. Ctrl-Enter runs it.
query SearchNearLisbon {
  searchListings(
    filter: { near: { lat: 38.7223, lng: -9.1393, radiusKm: 25 }, guests: 2 }
    sort: PRICE_ASC
    first: 5
  ) {
    totalCount
    edges {
      node {
        id
        title
        nightlyPrice { formatted }
        rating { average count }
      }
    }
  }
}
`;

interface RequestMeta {
  id: string;
  startedAt: number;
}

export function createYogaServer(app: App): Yoga {
  const requests = new WeakMap<Request, RequestMeta>();
  const metaOf = (request: Request): RequestMeta => {
    let meta = requests.get(request);
    if (!meta) {
      const given = request.headers.get("x-request-id");
      meta = {
        id: given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID(),
        startedAt: performance.now(),
      };
      requests.set(request, meta);
    }
    return meta;
  };

  const clientIp = clientIpResolver(app.config.http.trustProxy);
  const routes = compileRoutes(schema);

  const yoga: Yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: app.config.isProduction
      ? false
      : { title: "Roost GraphiQL", defaultQuery: graphiqlDefaultQuery },
    // Bundled GraphiQL (no CDN), loaded on first use: about 9 MB that production never needs.
    renderGraphiQL: async (options) =>
      (await import("@graphql-yoga/render-graphiql")).renderGraphiQL(options),
    // useCors below: Yoga's own echoes any origin with credentials.
    cors: false,
    multipart: false,
    // Yoga logs errors with their GraphQL source (the document, secrets included): log summaries.
    logging: {
      debug: (...args) => app.logger.debug({ yoga: args.map(loggable) }, "yoga"),
      info: (...args) => app.logger.info({ yoga: args.map(loggable) }, "yoga"),
      warn: (...args) => app.logger.warn({ yoga: args.map(loggable) }, "yoga"),
      // Yoga reports every resolver error it masks; thrown AppErrors are answers, not faults
      // (a database outage still logs at error level).
      error: (...args) =>
        args.some((arg) => findAppError(arg) !== undefined)
          ? app.logger.debug({ yoga: args.map(loggable) }, "yoga")
          : app.logger.error({ yoga: args.map(loggable) }, "yoga"),
    },
    maskedErrors: { maskError: maskUnexpectedError },
    context: ({ request, req }) =>
      createContext(app, request, {
        ip: clientIp(req?.socket.remoteAddress, request.headers.get("x-forwarded-for")),
        requestId: metaOf(request).id,
      }),
    plugins: [
      // First: it replaces the request, and the plugins after it must see the replacement.
      useBodyLimit(MAX_BODY_BYTES),
      useRequestLifecycle(app, metaOf),
      useSecurityHeaders(),
      useCors(app.config.http.corsOrigins),
      useJsonPostsOnly(),
      useRetryAfterHeader(),
      usePlainRoutes(app),
      useRestFacade(app, {
        routes,
        execute: async (request, context) => yoga.fetch(request, context),
        requestId: (request) => metaOf(request).id,
        pages: docsPages({ routes, schema }),
      }),
      // Before the persisted documents are looked up: a hit needs no document at all.
      ...(app.config.responseCache ? [useResponseCache(app)] : []),
      useRoostPersistedOperations({ persistedOnly: app.config.persistedOnly }),
      useQueryLimits(app.config.limits),
      useNulGuard(),
      useReadYourWrites(app),
      useErrorCodes(app.metrics),
      useErrorLogging(),
    ],
  });
  return yoga;
}

/** Request id, access log and HTTP metrics for every route. */
function useRequestLifecycle(
  app: App,
  metaOf: (request: Request) => RequestMeta,
): Plugin<object, ServerContext> {
  return {
    onRequest({ request }) {
      metaOf(request);
    },
    onResponse({ request, response, serverContext }) {
      // The REST facade's own GraphQL request: the outer /api request is the one logged.
      if (serverContext.restRoute) return;
      const meta = metaOf(request);
      response.headers.set("x-request-id", meta.id);
      const route = routeLabel(new URL(request.url).pathname);
      const seconds = (performance.now() - meta.startedAt) / 1000;
      app.metrics.httpRequests.inc({
        route,
        method: methodLabel(request.method),
        status: String(response.status),
      });
      app.metrics.httpDuration.observe({ route }, seconds);
      app.logger.info(
        {
          requestId: meta.id,
          method: request.method,
          route,
          status: response.status,
          ms: Math.round(seconds * 1000),
        },
        "request",
      );
    },
  };
}

function usePlainRoutes(app: App): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname === STRIPE_WEBHOOK_PATH) {
        endResponse(await handleStripeWebhook(app, request, fetchAPI));
        return;
      }
      if (isExportDownloadPath(url.pathname)) {
        endResponse(await handleExportDownload(app, request, fetchAPI));
        return;
      }
      if (url.pathname.startsWith(EXPORT_PREFIX)) {
        endResponse(await handleCalendarExport(app, request, fetchAPI));
        return;
      }
      if (request.method !== "GET") return;
      const { Response } = fetchAPI;
      if (url.pathname === "/healthz") {
        endResponse(Response.json({ status: "ok" }));
      } else if (url.pathname === "/readyz") {
        const replicaPool = app.database.replica?.pool;
        const [database, redis, replica] = await Promise.all([
          pingDatabase(app.database.pool),
          app.redis ? pingRedis(app.redis) : Promise.resolve(undefined),
          replicaPool ? pingDatabase(replicaPool) : Promise.resolve(undefined),
        ]);
        const state = (up: boolean) => (up ? "up" : "down");
        const checks = {
          postgres: state(database),
          ...(redis !== undefined && { redis: state(redis) }),
          ...(replica !== undefined && { replica: state(replica) }),
        };
        // Without its replica the instance still serves (those reads go to the primary): degraded,
        // and still ready.
        const down = Object.entries(checks)
          .filter(([name, value]) => value === "down" && name !== "replica")
          .map(([name]) => name);
        const degraded = replica === false ? ["replica"] : [];
        endResponse(
          Response.json(
            { status: down.length ? "unavailable" : "ok", checks, down, degraded },
            { status: down.length ? 503 : 200 },
          ),
        );
      } else if (url.pathname === "/metrics") {
        const token = app.config.http.metricsToken;
        if (token && !bearerMatches(request.headers.get("authorization"), token)) {
          endResponse(
            Response.json(
              {
                errors: [{ message: "Metrics need a bearer token", extensions: { code: "UNAUTHENTICATED" } }],
              },
              { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } },
            ),
          );
          return;
        }
        endResponse(
          new Response(await app.metrics.registry.metrics(), {
            headers: { "content-type": app.metrics.registry.contentType },
          }),
        );
      }
    },
  };
}

/** Compares in constant time (hashes first, so lengths do not leak either). */
function bearerMatches(authorization: string | null, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1] ?? "";
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export interface RunningServer {
  yoga: Yoga;
  http: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer(app: App, port: number, host: string): Promise<RunningServer> {
  const yoga = createYogaServer(app);
  const http = createHttpServer(yoga);
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return {
    yoga,
    http,
    url: `http://${shownHost}:${address.port}`,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const timer = setTimeout(() => http.closeAllConnections(), graceMs);
      await yoga.dispose();
      await closed;
      clearTimeout(timer);
    },
  };
}

const loggable = (value: unknown): unknown =>
  value instanceof Error
    ? describeError(value)
    : typeof value === "string"
      ? value.slice(0, 200)
      : typeof value;
