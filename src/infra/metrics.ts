// Prometheus metrics, one registry per app instance (tests run several in a process).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics(poolStats: () => { total: number; idle: number; waiting: number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "roost_" });
  const metrics = {
    registry,
    httpRequests: new Counter({
      name: "roost_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "roost_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["route"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: "roost_graphql_errors_total",
      help: "GraphQL errors by code",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: "roost_cache_requests_total",
      help: "Cache look-ups by result (hit, miss, error)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    responseCache: new Counter({
      name: "roost_response_cache_requests_total",
      help: "Response cache look-ups of persisted public reads (hit; coalesced: answered by an identical request in flight; miss; skip: not stored as a write raced it; error)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
  };
  for (const [name, pick] of [
    ["total", (s: ReturnType<typeof poolStats>) => s.total],
    ["idle", (s: ReturnType<typeof poolStats>) => s.idle],
    ["waiting", (s: ReturnType<typeof poolStats>) => s.waiting],
  ] as const) {
    new Gauge({
      name: `roost_db_pool_${name}_connections`,
      help: `PostgreSQL pool: ${name} connections`,
      registers: [registry],
      collect() {
        this.set(pick(poolStats()));
      },
    });
  }
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
