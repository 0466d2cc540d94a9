// The route table: read from `# @route` comments by codegen, compiled against the persisted
// documents by the server, and refused (at codegen or at start-up) when a route cannot work.
import { describe, expect, it } from "vitest";
import { routesOf, routeTable } from "../../scripts/codegen/rest-routes.ts";
import { schema } from "../../src/graphql/schema.ts";
import { compileRoutes, type RouteEntry } from "../../src/rest/route-table.ts";
import { mapVariables } from "../../src/rest/variables.ts";

const routes = compileRoutes(schema);
const route = (method: string, path: string) => {
  const found = routes.find((r) => r.method === method && r.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
};

describe("reading # @route comments", () => {
  it("a route comment belongs to the operation right below it, with the comment block as summary", () => {
    const source = [
      "# Books a stay.",
      "# @route POST /api/things",
      "mutation MakeThing($input: MakeThingInput!) { makeThing(input: $input) { id } }",
      "",
      "# @route GET /api/elsewhere",
      "",
      "query Unmarked { me { id } }",
    ].join("\n");
    expect(routesOf(source, "test.graphql")).toEqual([
      { method: "POST", path: "/api/things", operation: "MakeThing", summary: "Books a stay." },
    ]);
  });

  it.each([
    ["# @route GET /api/x\nmutation M { m }", /GET routes serve queries only/],
    ["# @route FETCH /api/x\nquery Q { q }", /unknown method FETCH/],
    ["# @route GET /things\nquery Q { q }", /must look like/],
    ["# @route GET /api/x\nquery { q }", /needs a name/],
    ["# @route GET /api/x\nsubscription S { s }", /query or mutation/],
    ["# @route GET /api/x\nfragment F on Query { q }", /query or mutation/],
  ])("refuses %j", (source, message) => {
    expect(() => routesOf(source, "test.graphql")).toThrow(message);
  });

  it("two operations may not claim the same route, whatever their parameters are called", () => {
    const a = { location: "a.graphql", source: "# @route GET /api/x/{id}\nquery A($id: ID!) { a(id: $id) }" };
    const b = {
      location: "b.graphql",
      source: "# @route GET /api/x/{slug}\nquery B($slug: ID!) { b(id: $slug) }",
    };
    const c = {
      location: "c.graphql",
      source: "# @route POST /api/x/{id}\nmutation C($id: ID!) { c(id: $id) }",
    };
    expect(routeTable([a, c]).map((r) => r.operation)).toEqual(["A", "C"]);
    expect(() => routeTable([a, b])).toThrow("Two operations claim GET /api/x/{slug}");
  });
});

describe("compiling routes at start-up", () => {
  const compile = (entry: RouteEntry) => () => compileRoutes(schema, [entry]);

  it("refuses a route whose operation is not in the manifest", () => {
    expect(compile({ method: "GET", path: "/api/x", operation: "NoSuchOperation" })).toThrow(
      /run npm run codegen/,
    );
  });

  it("refuses a path parameter that fills nothing", () => {
    expect(compile({ method: "GET", path: "/api/things/{slug}", operation: "Listing" })).toThrow(
      /\{slug\} matches no variable/,
    );
  });

  it("{id} after a collection fills that entity's id: /bookings/{id} is input.bookingId", () => {
    expect(route("POST", "/api/bookings/{id}/accept").pathParams.map((p) => p.target)).toEqual([
      ["input", "bookingId"],
    ]);
    expect(
      route("DELETE", "/api/wishlists/{id}/listings/{listingId}").pathParams.map((p) => p.target),
    ).toEqual([
      ["input", "wishlistId"],
      ["input", "listingId"],
    ]);
    expect(route("GET", "/api/listings/{id}").pathParams.map((p) => p.target)).toEqual([["id"]]);
  });

  it("GET flattens input objects into query parameters, nested ones with dotted names", () => {
    const names = route("GET", "/api/listings").queryParams.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(["guests", "checkIn", "near.lat", "bounds.north", "sort", "first"]),
    );
    expect(names).not.toContain("filter");
    expect(route("GET", "/api/listings/{id}/quote").queryParams.map((p) => p.name)).toEqual(
      expect.arrayContaining(["checkIn", "checkOut", "guests"]),
    );
    expect(route("GET", "/api/listings/{id}/quote").queryParams.map((p) => p.name)).not.toContain(
      "listingId",
    );
  });

  it("a body fills `input` without the fields the path and Idempotency-Key give", () => {
    const body = route("POST", "/api/bookings/{id}/cancel").body;
    expect(body?.target).toEqual(["input"]);
    expect(body?.fields.map((f) => f.name)).toEqual(["reason"]);
    expect(route("POST", "/api/bookings").idempotencyKey).toEqual(["input", "idempotencyKey"]);
  });
});

describe("mapping a request to variables", () => {
  const parts = (
    query = "",
    body?: unknown,
    pathValues: string[] = [],
    idempotencyKey: string | null = null,
  ) => ({
    pathValues,
    query: new URLSearchParams(query),
    body,
    idempotencyKey,
  });

  it("coerces query strings by the variables' types and repeats lists", () => {
    const mapped = mapVariables(
      route("GET", "/api/listings"),
      parts(
        "guests=2&instantBook=true&near.lat=38.7&near.lng=-9.1&near.radiusKm=5&amenityCodes=wifi&amenityCodes=pool",
      ),
    );
    expect(mapped).toEqual({
      variables: {
        filter: {
          guests: 2,
          instantBook: true,
          near: { lat: 38.7, lng: -9.1, radiusKm: 5 },
          amenityCodes: ["wifi", "pool"],
        },
      },
    });
  });

  it("names REST fields in errors, all at once", () => {
    const mapped = mapVariables(
      route("GET", "/api/listings"),
      parts("guests=2&guests=3&first=1.5&instantBook=yes"),
    );
    expect("fields" in mapped && mapped.fields.map((f) => f.path).sort()).toEqual([
      "first",
      "guests",
      "instantBook",
    ]);
  });

  it("path values land in input, and a body may not restate them", () => {
    const cancel = route("POST", "/api/bookings/{id}/cancel");
    expect(mapVariables(cancel, parts("", { reason: "ill" }, ["QmtnOjE"], "key-1"))).toEqual({
      variables: { input: { bookingId: "QmtnOjE", reason: "ill", idempotencyKey: "key-1" } },
    });
    const keyless = mapVariables(cancel, parts("", { reason: "ill" }, ["QmtnOjE"]));
    expect("fields" in keyless && keyless.fields).toEqual([
      { path: "idempotencyKey", message: "is required" },
    ]);
    const clash = mapVariables(cancel, parts("", { bookingId: "other" }, ["QmtnOjE"], "key-1"));
    expect("fields" in clash && clash.fields).toEqual([
      { path: "bookingId", message: "is given by the path; leave it out of the body" },
    ]);
  });

  it("a body that is not an object, and a query string on a body route", () => {
    const create = route("POST", "/api/wishlists");
    expect(mapVariables(create, parts("", "Beaches"))).toEqual({
      fields: [{ path: "", message: "the request body must be a JSON object" }],
    });
    const withQuery = mapVariables(create, parts("name=Beaches", {}));
    expect("fields" in withQuery && withQuery.fields.map((f) => f.path)).toEqual(["name", "name"]);
  });
});
