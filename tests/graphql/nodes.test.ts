// Query.nodes over HTTP: each id answers at its own position, at most 100 ids per call.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { codeOf, fieldsOf } from "../helpers/client.ts";
import { factories, type TestUser } from "../helpers/factories.ts";

let t: TestApp;
let host: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().create();
});
afterAll(() => t.close());

const NODES = `query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id ... on Listing { title } ... on User { firstName } }
}`;
const NODE = "query Node($id: ID!) { node(id: $id) { id } }";

type Node = { __typename: string; id: string } | null;
const nodes = (ids: string[], client = t.client) =>
  client.request<{ nodes: Node[] }, { ids: string[] }>(NODES, { ids });

describe("nodes(ids:)", () => {
  it("answers each id at its own position, in the order asked", async () => {
    const [first, second] = [
      await factories(t).listing(host).listed().create(),
      await factories(t).listing(host).listed().create(),
    ];
    const ids = [encodeGlobalId("Listing", second.id), host.globalId, encodeGlobalId("Listing", first.id)];
    const result = await nodes(ids);
    expect(result.errors).toBeUndefined();
    expect(result.data?.nodes).toEqual([
      { __typename: "Listing", id: ids[0], title: second.title },
      { __typename: "User", id: host.globalId, firstName: "Test" },
      { __typename: "Listing", id: ids[2], title: first.title },
    ]);
  });

  it("answers null where an id is malformed, of a type that is no node, or names nothing visible; node(id:) answers NOT_FOUND for each", async () => {
    const listed = await factories(t).listing(host).listed().create();
    const draft = await factories(t).listing(host).create();
    const valid = encodeGlobalId("Listing", listed.id);
    const unknown = [
      "not-an-id",
      encodeGlobalId("Listing", "not-a-uuid"),
      encodeGlobalId("Amenity", randomUUID()),
      encodeGlobalId("Nope", randomUUID()),
      encodeGlobalId("Listing", randomUUID()),
      encodeGlobalId("Listing", draft.id),
    ];
    const result = await nodes([valid, ...unknown, valid]);
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data?.nodes.map((node) => node?.id ?? null)).toEqual([
      valid,
      ...unknown.map(() => null),
      valid,
    ]);
    // The draft is its host's to see.
    expect((await nodes([encodeGlobalId("Listing", draft.id)], host.client)).data?.nodes[0]?.id).toBe(
      encodeGlobalId("Listing", draft.id),
    );
    for (const id of unknown) expect(codeOf(await t.client.request(NODE, { id }))).toBe("NOT_FOUND");
  });

  it("takes at most 100 ids: more is BAD_USER_INPUT on `ids`", async () => {
    const ids = (count: number) =>
      Array.from({ length: count }, () => encodeGlobalId("Listing", randomUUID()));
    const hundred = await nodes(ids(100));
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data?.nodes).toEqual(Array.from({ length: 100 }, () => null));

    const tooMany = await nodes(ids(101));
    expect(codeOf(tooMany)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(tooMany)).toEqual([{ path: "ids", message: "must hold at most 100 ids" }]);
    expect(codeOf(await nodes(ids(15_000)))).toBe("BAD_USER_INPUT");
  });

  it("counts each id in the query cost", async () => {
    const ids = Array.from({ length: 100 }, () => encodeGlobalId("Listing", randomUUID()));
    const yearOfNights = `query Nights($ids: [ID!]!) {
      nodes(ids: $ids) { ... on Listing { calendar(from: "2030-01-01", to: "2031-01-01") { date available } } }
    }`;
    const result = await t.client.request(yearOfNights, { ids });
    expect(codeOf(result)).toBe("QUERY_TOO_COMPLEX");
    expect(codeOf(await t.client.request(yearOfNights, { ids: ids.slice(0, 1) }))).toBeUndefined();
  });
});
