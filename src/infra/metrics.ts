// Prometheus metrics, one registry per app instance (tests run several in a process).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PoolStats } from "./db.ts";

export function createMetrics(poolStats: () => PoolStats, replicaPoolStats?: () => PoolStats) {
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
  const poolGauges = (prefix: string, what: string, stats: () => PoolStats) => {
    for (const name of ["total", "idle", "waiting"] as const) {
      new Gauge({
        name: `${prefix}_${name}_connections`,
        help: `${what}: ${name} connections`,
        registers: [registry],
        collect() {
          this.set(stats()[name]);
        },
      });
    }
  };
  poolGauges("roost_db_pool", "PostgreSQL pool", poolStats);
  if (replicaPoolStats) poolGauges("roost_db_replica_pool", "Read replica pool", replicaPoolStats);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
