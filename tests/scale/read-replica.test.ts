// DATABASE_REPLICA_URL against a real streaming replica (tests/helpers/replicated-postgres.ts):
// search and listing pages read the replica, writes go to the primary, the writer's next reads go
// to the primary (read-your-writes), nothing read from a lagging replica is cached past the write
// it missed, and a replica that is down is skipped. Replay is paused to make the replica lag, so
// every answer shows which server gave it.
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ListingDocument,
  PublishListingDocument,
  SearchListingsDocument,
  UpdateListingDocument,
} from "../../schema/generated/graphql.ts";
import { withDatabase } from "../../src/infra/database-url.ts";
import { applyMigrations } from "../../src/infra/migrations.ts";
import { migrateWorkerSchema } from "../../src/infra/worker.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { stayFixture } from "../helpers/bookings.ts";
import { adminQuery, withClient } from "../helpers/database.ts";
import { factories } from "../helpers/factories.ts";
import { type ReplicatedPostgres, startReplicatedPostgres } from "../helpers/replicated-postgres.ts";
import { encodeGlobalId } from "../../src/graphql/global-id.ts";

let cluster: ReplicatedPostgres;
let t: TestApp;

beforeAll(async () => {
  cluster = await startReplicatedPostgres();
  await adminQuery(cluster.primaryUrl, 'CREATE DATABASE "roost"');
  const primary = withDatabase(cluster.primaryUrl, "roost");
  await applyMigrations({ connectionString: primary });
  await migrateWorkerSchema(primary);
  await cluster.caughtUp(30_000);
  t = await startTestApp({
    databaseUrl: primary,
    configure: (config) => {
      config.databaseReplicaUrl = withDatabase(cluster.replicaUrl, "roost");
      // Longer than any test here takes between a write and the reads that check it.
      config.readYourWritesMs = 60_000;
    },
  });
}, 120_000);
afterAll(async () => {
  try {
    await t?.close();
  } finally {
    await cluster?.stop();
  }
});

const titleOnReplica = (id: string) =>
  withClient(withDatabase(cluster.replicaUrl, "roost"), async (client) => {
    const result = await client.query<{ title: string }>("SELECT title FROM listings WHERE id = $1", [id]);
    return result.rows[0]?.title;
  });

/** A point in the South Pacific no other listing of this file shares, and a search around it. */
const lonelySpot = () => ({ lat: -40 - randomInt(1_000) / 100, lng: -120 - randomInt(1_000) / 100 });
const near = (spot: { lat: number; lng: number }) => ({ filter: { near: { ...spot, radiusKm: 1 } } });

describe("with DATABASE_REPLICA_URL", () => {
  it("counts the replica pool's connections in /metrics", async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of ["total", "idle", "waiting"]) {
      expect(metrics).toMatch(new RegExp(`^roost_db_replica_pool_${name}_connections \\d+$`, "m"));
      expect(metrics).toMatch(new RegExp(`^roost_db_pool_${name}_connections \\d+$`, "m"));
    }
  });

  it("is a real hot standby, refusing writes", async () => {
    await withClient(withDatabase(cluster.replicaUrl, "roost"), async (client) => {
      expect((await client.query("SELECT pg_is_in_recovery() AS standby")).rows[0]).toEqual({
        standby: true,
      });
      await expect(client.query("CREATE TABLE nope (x int)")).rejects.toThrow(/read-only transaction/);
    });
  });

  it("reads listing pages from the replica, writes on the primary, and the writer reads the primary", async () => {
    const stay = await stayFixture(t, { title: "Before the write" });
    await cluster.caughtUp();
    const anonymous = () => t.client.ok(ListingDocument, { id: stay.listingId });
    expect((await anonymous()).listing?.title).toBe("Before the write");

    await cluster.pauseReplay();
    try {
      await stay.host.client.ok(UpdateListingDocument, {
        input: { listingId: stay.listingId, title: "After the write" },
      });
      // The write is on the primary only.
      const onPrimary = await t.app.db.listing.findUniqueOrThrow({ where: { id: stay.listing.id } });
      expect(onPrimary.title).toBe("After the write");
      expect(await titleOnReplica(stay.listing.id)).toBe("Before the write");
      // Anonymous callers and users who wrote nothing read the lagging replica...
      expect((await anonymous()).listing?.title).toBe("Before the write");
      const bystander = await stay.guest.client.ok(ListingDocument, { id: stay.listingId });
      expect(bystander.listing?.title).toBe("Before the write");
      // ...the host, who just wrote, reads the primary.
      const own = await stay.host.client.ok(ListingDocument, { id: stay.listingId });
      expect(own.listing?.title).toBe("After the write");
    } finally {
      await cluster.resumeReplay();
    }
    await cluster.caughtUp();
    // What was read from the replica while it lagged was not cached (listing page, response cache).
    expect((await anonymous()).listing?.title).toBe("After the write");
  });

  it("searches the replica: a listing published while it lags is found by its host only, then by all", async () => {
    const host = await factories(t).user().host().create();
    const spot = lonelySpot();
    const draft = await factories(t)
      .listing(host)
      .with({ ...spot, status: "DRAFT" })
      .create();
    const listingId = encodeGlobalId("Listing", draft.id);
    const found = async (client: TestApp["client"]) =>
      (await client.ok(SearchListingsDocument, near(spot))).searchListings.edges.map((edge) => edge.node.id);
    await cluster.caughtUp();
    expect(await found(t.client)).toEqual([]);

    await cluster.pauseReplay();
    try {
      await host.client.ok(PublishListingDocument, { input: { listingId } });
      expect(await found(t.client)).toEqual([]);
      expect(await found(host.client)).toEqual([listingId]);
    } finally {
      await cluster.resumeReplay();
    }
    await cluster.caughtUp();
    expect(await found(t.client)).toEqual([listingId]);
  });

  it("reads the primary while the replica is down", async () => {
    const stay = await stayFixture(t, { title: "Read with the replica down" });
    const ready = async () => {
      const response = await fetch(`${t.url}/readyz`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await ready()).toMatchObject({
      status: 200,
      body: { checks: { postgres: "up", replica: "up" }, down: [], degraded: [] },
    });
    await cluster.stopReplica();
    // Degraded, still ready: its reads go to the primary.
    expect(await ready()).toMatchObject({
      status: 200,
      body: { status: "ok", checks: { postgres: "up", replica: "down" }, down: [], degraded: ["replica"] },
    });
    expect((await t.client.ok(ListingDocument, { id: stay.listingId })).listing?.title).toBe(
      "Read with the replica down",
    );
    const spot = { lat: stay.listing.lat, lng: stay.listing.lng };
    const page = await t.client.ok(SearchListingsDocument, near(spot));
    expect(page.searchListings.edges.map((edge) => edge.node.id)).toContain(stay.listingId);
  });
});
