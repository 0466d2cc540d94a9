// After seeding: EXPLAIN (ANALYZE, BUFFERS) of the search statements the search scenarios run,
// built by pageQuery exactly as the server builds them, so the bench output shows each plan and
// its execution time next to the throughput it explains.
import pg from "pg";
import type { Config } from "../src/config.ts";
import { connectionSettings } from "../src/infra/db.ts";
import { parseSearchArgs, type SearchArgs } from "../src/modules/search/filters.ts";
import { pageQuery } from "../src/modules/search/query.ts";
import { type City, isoDay } from "./scenarios.ts";

/** The two searches: the cached scenario's request, and a stay in the middle of the dated scenario's. */
function searches(city: City): Record<string, SearchArgs> {
  const near = { lat: city.lat, lng: city.lng, radiusKm: 20 };
  return {
    [`${city.name} 20 km page (RELEVANCE, first 20, as search radius)`]: { filter: { near }, first: 20 },
    [`${city.name} 20 km, 4 nights from day 28, 2 guests, PRICE_ASC (as search with dates)`]: {
      filter: { near, checkIn: isoDay(28), checkOut: isoDay(32), guests: 2 },
      sort: "PRICE_ASC",
      first: 20,
    },
  };
}

/** Runs each statement once to warm it, then prints its EXPLAIN; returns execution ms by name. */
export async function explainSearchStatements(
  url: string,
  cities: readonly City[],
  pricing: Config["pricing"],
  log: (message: string) => void,
): Promise<Record<string, number>> {
  const city = cities.find((candidate) => candidate.name === "Lisbon") ?? cities[0];
  if (!city) throw new Error("no seeded city to search");
  // The server's session settings (JIT off), so the plans are the ones it runs.
  const client = new pg.Client({ ...connectionSettings(url), application_name: "roost-bench-explain" });
  client.on("error", () => undefined);
  await client.connect();
  const times: Record<string, number> = {};
  try {
    const visibility = await client.query<{ pages: number; visible: number }>(
      "SELECT relpages AS pages, relallvisible AS visible FROM pg_class WHERE relname = 'listings'",
    );
    const { pages = 0, visible = 0 } = visibility.rows[0] ?? {};
    // Index-only scans skip the heap only on all-visible pages, which VACUUM marks.
    log(`explain: listings has ${visible} of ${pages} pages all-visible`);
    for (const [name, args] of Object.entries(searches(city))) {
      const parsed = parseSearchArgs(args, { now: new Date(), knownAmenityCodes: new Set() });
      if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.fields)}`);
      const statement = pageQuery(parsed.request, pricing);
      await client.query(statement.text, statement.values);
      const explained = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
        statement.values,
      );
      const plan = explained.rows.map((row) => row["QUERY PLAN"]);
      const execution = /Execution Time: ([\d.]+) ms/.exec(plan.join("\n"))?.[1];
      times[name] = Number(execution);
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS) ${name}: ${execution} ms\n${plan.join("\n")}`);
      log(`explain: ${name}: ${execution} ms execution`);
    }
  } finally {
    await client.end();
  }
  return times;
}
