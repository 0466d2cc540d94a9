// The OpenAPI 3.1 document at /api/openapi.json (valid, complete, true to live answers) and the
// Swagger UI page at /api/docs, whose files come from this origin and a whitelist only.
import { request as httpRequest } from "node:http";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import routeEntries from "../../schema/generated/rest-routes.json" with { type: "json" };
import { errorStatus } from "../../src/core/errors.ts";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import { schema } from "../../src/graphql/schema.ts";
import { openApiDocument } from "../../src/rest/openapi.ts";
import { compileRoutes } from "../../src/rest/route-table.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { factories } from "../helpers/factories.ts";
import { mismatches, resolvePointer } from "../helpers/json-schema.ts";

type Json = Record<string, unknown>;
type Operation = {
  operationId: string;
  parameters?: Array<Json & { name: string; in: string; required: boolean; schema: Json }>;
  requestBody?: { required: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, Json>;
};

let t: TestApp;
let response: Response;
let doc: Json & { paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  t = await startTestApp();
  response = await fetch(`${t.url}/api/openapi.json`);
  doc = (await response.json()) as typeof doc;
});
afterAll(() => t.close());

const operation = (method: string, path: string): Operation => {
  const found = doc.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
};
const parameter = (op: Operation, name: string) => op.parameters?.find((p) => p.name === name);
const deref = (schema: Json): Json =>
  typeof schema.$ref === "string" ? deref(resolvePointer(doc, schema.$ref) as Json) : schema;
const okSchema = (op: Operation): Json =>
  ((op.responses["200"]?.content as Record<string, { schema: Json }>)["application/json"]?.schema ??
    {}) as Json;

/** Every `$ref` anywhere in a value, with where it sits. */
function refsIn(value: unknown, at = "#"): Array<{ at: string; ref: string }> {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === "$ref" && typeof child === "string" ? [{ at, ref: child }] : refsIn(child, `${at}/${key}`),
  );
}

/** GET with the path sent exactly as written (fetch would resolve `..` before sending). */
function rawGet(path: string): Promise<number> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: "GET", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("GET /api/openapi.json", () => {
  it("answers JSON that may be cached for a while", () => {
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "Roost", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(doc.servers).toEqual([{ url: "/" }]);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("would be caught broken: the validator refuses a copy without info or with a bad response", async () => {
    const { info: _info, ...withoutInfo } = structuredClone(doc);
    expect((await new Validator().validate(withoutInfo)).valid).toBe(false);
    const badResponse = structuredClone(doc);
    const me = badResponse.paths["/api/me"]?.get;
    if (!me) throw new Error("no GET /api/me");
    me.responses = { "200": { content: {} } }; // a response needs a description
    expect((await new Validator().validate(badResponse)).valid).toBe(false);
  });

  it("has every route of the route table, under its method, named for its operation", () => {
    expect(routeEntries.length).toBeGreaterThan(20);
    for (const entry of routeEntries) {
      const op = operation(entry.method, entry.path);
      expect(op.operationId, `${entry.method} ${entry.path}`).toBe(entry.operation);
      expect(op.responses["200"], `${entry.method} ${entry.path}`).toBeDefined();
    }
    const documented = Object.values(doc.paths).reduce((sum, ops) => sum + Object.keys(ops).length, 0);
    expect(documented).toBe(routeEntries.length);
  });

  it("resolves every $ref", () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined)).toEqual([]);
  });

  it("documents every path parameter as required, under its name in the path", () => {
    for (const entry of routeEntries) {
      const names = [...entry.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const inPath = operation(entry.method, entry.path).parameters?.filter((p) => p.in === "path") ?? [];
      expect(inPath.map((p) => p.name)).toEqual(names);
      expect(inPath.every((p) => p.required && p.schema.type === "string")).toBe(true);
    }
  });

  it("POST /api/bookings: a flat body, Idempotency-Key, and the payment and key-reuse errors", () => {
    const op = operation("POST", "/api/bookings");
    expect(op.operationId).toBe("RequestBooking");
    expect(op.requestBody?.required).toBe(true);
    const body = op.requestBody?.content["application/json"]?.schema as Json & {
      properties: Record<string, Json>;
    };
    expect(body.type).toBe("object");
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(
      expect.arrayContaining(["listingId", "checkIn", "checkOut", "guests", "paymentMethod"]),
    );
    expect(body.required).not.toContain("message");
    expect(body.properties).not.toHaveProperty("idempotencyKey");
    expect(body.properties.checkIn).toEqual({ type: "string", format: "date" });
    expect(body.properties.checkOut).toEqual({ type: "string", format: "date" });
    expect(body.properties.guests).toMatchObject({ type: "integer" });
    expect(body.properties.message?.type).toEqual(["string", "null"]);

    const key = parameter(op, "Idempotency-Key");
    expect(key).toMatchObject({ in: "header", required: true, schema: { type: "string" } });
    // Accepting is idempotent on request only: there the key is optional.
    expect(parameter(operation("POST", "/api/bookings/{id}/accept"), "Idempotency-Key")?.required).toBe(
      false,
    );
    expect(key?.description).toMatch(/byte for byte/);
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "402", "403", "404", "409", "422", "429", "500", "503"]),
    );
    expect(op.responses["200"]?.headers).toHaveProperty("idempotent-replayed");
    const booking = deref((deref(okSchema(op)).properties as Record<string, Json>).booking ?? {});
    expect(booking.required).toEqual(expect.arrayContaining(["id", "status", "checkIn", "total"]));
    expect((booking.properties as Record<string, Json>).cancelledAt).toEqual({
      type: ["string", "null"],
      format: "date-time",
    });
  });

  it("answers 402 only where a payment method is sent and 422 only with an Idempotency-Key", () => {
    for (const entry of routeEntries) {
      const op = operation(entry.method, entry.path);
      const body = op.requestBody?.content["application/json"]?.schema as { properties?: Json } | undefined;
      const where = `${entry.method} ${entry.path}`;
      expect("402" in op.responses, where).toBe(
        Boolean(body?.properties && "paymentMethod" in body.properties),
      );
      expect("422" in op.responses, where).toBe(parameter(op, "Idempotency-Key") !== undefined);
    }
  });

  it("GET /api/listings: the search filter as flat query parameters, nested ones dotted", () => {
    const op = operation("GET", "/api/listings");
    expect(op.requestBody).toBeUndefined();
    expect(parameter(op, "near.lat")).toMatchObject({
      in: "query",
      required: false,
      schema: { type: "number" },
    });
    expect(parameter(op, "near.lat")?.description).toBeTruthy();
    expect(parameter(op, "checkIn")?.schema).toEqual({ type: "string", format: "date" });
    expect(parameter(op, "guests")?.schema).toMatchObject({ type: "integer" });
    expect(parameter(op, "instantBook")?.schema).toEqual({ type: "boolean" });
    const sort = parameter(op, "sort");
    expect(sort?.schema).toMatchObject({
      type: "string",
      enum: expect.arrayContaining(["PRICE_ASC", "RELEVANCE"]),
    });
    expect(String(sort?.schema.description)).toContain("`DISTANCE`");
    expect(parameter(op, "propertyTypes")).toMatchObject({
      style: "form",
      explode: true,
      schema: { type: "array", items: { type: "string", enum: expect.arrayContaining(["HOUSE"]) } },
    });
    expect(parameter(op, "filter")).toBeUndefined();
  });

  it("GET /api/listings/{id}: the response is the listing, id and title required strings", () => {
    const op = operation("GET", "/api/listings/{id}");
    expect(parameter(op, "id")).toMatchObject({ in: "path", required: true });
    const listing = deref(okSchema(op));
    const properties = listing.properties as Record<string, Json>;
    expect(listing.required).toEqual(expect.arrayContaining(["id", "title"]));
    expect(properties.id).toEqual({ type: "string" });
    expect(properties.title).toMatchObject({ type: "string" });
    // Nested objects follow the selection: the host's id and first name, nothing else.
    expect(Object.keys(deref(properties.host ?? {}).properties as Json).sort()).toEqual(["firstName", "id"]);
  });

  it("an operation selecting several root fields answers its data object", () => {
    const data = deref(okSchema(operation("GET", "/api/notifications")));
    expect(data.required).toEqual(expect.arrayContaining(["notifications", "unreadNotificationCount"]));
    expect((data.properties as Record<string, Json>).unreadNotificationCount).toMatchObject({
      type: "integer",
    });
  });

  it("describes errors once: every contract code, and Retry-After on 429 and 503", () => {
    const components = doc.components as Record<string, Record<string, Json>>;
    const error = components.schemas?.Error as Json;
    const inner = (error.properties as Record<string, Json>).error as Json;
    expect(inner.required).toEqual(["code", "message", "fields"]);
    expect(((inner.properties as Record<string, Json>).code as Json).enum).toEqual(Object.keys(errorStatus));
    const op = operation("POST", "/api/bookings");
    for (const status of ["400", "401", "402", "403", "404", "409", "422", "429", "500", "503"]) {
      const answer = deref(op.responses[status] ?? {});
      const codes = Object.entries(errorStatus).filter(([, s]) => String(s) === status);
      for (const [code] of codes) expect(answer.description, status).toContain(code);
      expect(Boolean(answer.headers), status).toBe(status === "429" || status === "503");
    }
    expect(deref(components.responses?.TooManyRequests ?? {}).headers).toHaveProperty("Retry-After");
  });

  it("takes a bearer JWT, and lets anonymous requests through where the route allows", () => {
    const components = doc.components as Record<string, Record<string, Json>>;
    expect(components.securitySchemes?.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, {}]);
  });

  it("is built once per routes and schema", () => {
    const routes = compileRoutes(schema);
    const first = openApiDocument(routes, schema, { version: "1.0.0" });
    expect(openApiDocument(routes, schema, { version: "1.0.0" })).toBe(first);
    expect(
      openApiDocument(routes, schema, { version: "1.0.0", serverUrl: "https://api.example.test" }),
    ).not.toBe(first);
  });
});

describe("live answers match their documented schemas", () => {
  const check = async (method: string, path: string, url: string, init: RequestInit = {}) => {
    const answer = await fetch(`${t.url}${url}`, { method, ...init });
    const status = String(answer.status);
    const documented = deref(operation(method, path).responses[status] ?? {});
    expect(documented.content, `${method} ${url} answered ${status}, which is not documented`).toBeDefined();
    const { schema: shape } =
      (documented.content as Record<string, { schema: Json }>)["application/json"] ?? {};
    const body: unknown = await answer.json();
    expect(mismatches(doc, shape ?? {}, body), `${method} ${url} → ${status}`).toEqual([]);
    return { status: answer.status, body };
  };

  it("listings, a listing, the caller, notifications, and a 404", async () => {
    const host = await factories(t).user().host().create();
    const listing = await factories(t).listing(host).listed().photos(2).create();
    const id = encodeGlobalId("Listing", listing.id);
    expect((await check("GET", "/api/listings/{id}", `/api/listings/${id}`)).status).toBe(200);
    const search = await check(
      "GET",
      "/api/listings",
      "/api/listings?near.lat=38.72&near.lng=-9.14&near.radiusKm=10",
    );
    expect(search.status).toBe(200);
    expect((await check("GET", "/api/listings/{id}", "/api/listings/nope")).status).toBe(404);

    const signUp = await check("POST", "/api/auth/signup", "/api/auth/signup", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `openapi-${Date.now()}@example.test`,
        password: "long-enough-secret",
        firstName: "Ana",
        lastName: "Doc",
      }),
    });
    expect(signUp.status).toBe(200);
    const headers = { authorization: `Bearer ${(signUp.body as { accessToken: string }).accessToken}` };
    expect((await check("GET", "/api/me", "/api/me", { headers })).status).toBe(200);
    expect((await check("GET", "/api/notifications", "/api/notifications", { headers })).status).toBe(200);
    expect((await check("GET", "/api/trips", "/api/trips")).status).toBe(401);
  });
});

describe("GET /api/docs", () => {
  it("is Swagger UI from this origin: every script and stylesheet under /api/docs/assets/", async () => {
    const page = await fetch(`${t.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    // The page policy: scripts, styles and requests of this origin only.
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui">');
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(urls.length).toBeGreaterThanOrEqual(3);
    expect(urls.filter((url) => !url.startsWith("/api/docs/assets/"))).toEqual([]);
    expect(html).not.toMatch(/<script>[^<]/); // no inline script

    for (const url of urls) {
      const asset = await fetch(`${t.url}${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get("cache-control"), url).toMatch(/max-age=31536000/);
      const type = asset.headers.get("content-type") ?? "";
      if (url.includes(".js")) expect(type).toMatch(/^text\/javascript/);
      if (url.includes(".css")) expect(type).toMatch(/^text\/css/);
      if (url.includes(".png")) expect(type).toBe("image/png");
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
    const init = urls.find((url) => url.includes("roost-docs.js")) ?? "";
    const script = await (await fetch(`${t.url}${init}`)).text();
    expect(script).toContain('"url":"/api/openapi.json"');
    expect(script).toContain('"validatorUrl":null');
  });

  it("serves nothing of the package beyond its whitelist", async () => {
    for (const path of [
      "/api/docs/assets/../package.json",
      "/api/docs/assets/..%2fpackage.json",
      "/api/docs/assets/%2e%2e/package.json",
      "/api/docs/assets/nope.js",
      "/api/docs/assets/index.html",
      "/api/docs/assets/swagger-initializer.js",
      "/api/docs/assets/",
    ]) {
      expect(await rawGet(path), path).toBe(404);
    }
    const missing = await fetch(`${t.url}/api/docs/assets/nope.js`);
    expect(missing.headers.get("content-type")).toMatch(/json/);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});
