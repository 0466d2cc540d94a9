// Bounded labels for HTTP metrics: a raw path or method per series lets any client grow /metrics without end.

const exactRoutes = new Set(["/graphql", "/healthz", "/readyz", "/metrics"]);
const routePrefixes = ["/api", "/webhooks", "/ical", "/exports"];
const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The route a path belongs to: a known route, a known prefix, or "other". */
export function routeLabel(pathname: string): string {
  if (exactRoutes.has(pathname)) return pathname;
  const prefix = routePrefixes.find((p) => pathname === p || pathname.startsWith(`${p}/`));
  return prefix ?? "other";
}

export function methodLabel(method: string): string {
  const upper = method.toUpperCase();
  return methods.has(upper) ? upper : "other";
}
