// The SQL stay total equals quoteListingStay's total, to the minor unit, for many random listings,
// stays and fee settings (seeded, so a failure names its case): custom nights, weekly and monthly
// discounts at their thresholds, rounding halves, and the stays one Money cannot carry (NULL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../../src/generated/prisma/client.ts";
import { addDays, eachNight, formatCalendarDate } from "../../../src/core/calendar-date.ts";
import { NIGHTLY_PRICE_CAP } from "../../../src/modules/pricing/money.ts";
import { AmountTooLargeError } from "../../../src/modules/pricing/quote.ts";
import { type PricedListing, quoteListingStay } from "../../../src/modules/pricing/service.ts";
import {
  STAY_CUSTOM_NIGHTS,
  STAY_TOTAL,
  stayCustomNights,
  stayTotalJoins,
} from "../../../src/modules/pricing/stay-total-sql.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { factories } from "../../helpers/factories.ts";

/** mulberry32: a small seeded generator, so every run checks the same cases. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[int(0, values.length - 1)]!;
  return { next, int, pick };
}

const SEED = 20_261_201;
const LISTINGS = 400;
const STAYS = 40;
const FIRST_NIGHT = new Date("2030-01-01T00:00:00Z");
const WINDOW_DAYS = 400;

interface Case extends PricedListing {
  id: string;
  custom: Map<string, number>;
}

let t: TestApp;
const cases: Case[] = [];
const random = generator(SEED);

/** Prices across the range: tiny (many rounding halves), typical, and near the cap. */
const amount = (min: number) =>
  random.pick([
    () => random.int(min, 20),
    () => random.int(Math.max(min, 1_000), 60_000),
    () => random.int(1_000_000, 30_000_000),
    () => random.int(NIGHTLY_PRICE_CAP - 1_000_000, NIGHTLY_PRICE_CAP),
  ])();
const percent = () => random.pick([0, 0, 5, 10, 12, 15, 20, 33, 50, 99, random.int(0, 99)]);

beforeAll(async () => {
  t = await startTestApp();
  const host = await factories(t).user().host().create();
  for (let index = 0; index < LISTINGS; index++) {
    const custom = new Map<string, number>();
    // A third have custom nights scattered over the window (some stays cover many of them).
    if (index % 3 === 0) {
      for (let n = random.int(1, 60); n > 0; n--) {
        custom.set(formatCalendarDate(addDays(FIRST_NIGHT, random.int(0, WINDOW_DAYS))), amount(1));
      }
    }
    cases.push({
      id: "",
      currency: random.pick(["EUR", "JPY", "VND", "KWD"]),
      nightlyPrice: amount(1),
      cleaningFee: random.next() < 0.2 ? 0 : amount(0),
      weeklyDiscountPct: percent(),
      monthlyDiscountPct: percent(),
      custom,
    });
  }
  const ids = await t.app.db.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    INSERT INTO listings (host_id, title, property_type, room_type, address_line1, city, country, lat, lng,
                          max_guests, currency, nightly_price, cleaning_fee, weekly_discount_pct, monthly_discount_pct)
    SELECT ${host.id}::uuid, 'Priced ' || n, 'APARTMENT', 'ENTIRE_PLACE', '1 Sum Street', 'Sumville', 'PT', 0, 0, 2,
           c.currency, c.nightly_price, c.cleaning_fee, c.weekly, c.monthly
    FROM unnest(${cases.map((c) => c.currency)}::text[], ${cases.map((c) => c.nightlyPrice)}::int[],
                ${cases.map((c) => c.cleaningFee)}::int[], ${cases.map((c) => c.weeklyDiscountPct)}::int[],
                ${cases.map((c) => c.monthlyDiscountPct)}::int[])
      WITH ORDINALITY AS c(currency, nightly_price, cleaning_fee, weekly, monthly, n)
    ORDER BY n
    RETURNING id`);
  ids.forEach((row, index) => (cases[index]!.id = row.id));
  await t.app.db.nightPrice.createMany({
    data: cases.flatMap((c) =>
      [...c.custom].map(([night, price]) => ({
        listingId: c.id,
        night: new Date(`${night}T00:00:00Z`),
        amount: price,
      })),
    ),
  });
}, 60_000);
afterAll(() => t.close());

describe("the SQL stay total", () => {
  it(`equals quoteListingStay's total for ${LISTINGS} listings × ${STAYS} stays (seed ${SEED})`, async () => {
    let compared = 0;
    let refused = 0;
    let custom = 0;
    for (let stay = 0; stay < STAYS; stay++) {
      // Nights around the discount thresholds, and long stays up to a year.
      const nights = random.pick([1, 2, 3, 6, 7, 8, 13, 27, 28, 29, 45, 90, 180, 365, random.int(1, 365)]);
      const checkIn = addDays(FIRST_NIGHT, random.int(0, WINDOW_DAYS - Math.min(nights, WINDOW_DAYS)));
      const checkOut = addDays(checkIn, nights);
      const pricing = {
        serviceFeeBps: random.pick([0, 1_400, 5_000, random.int(0, 5_000)]),
        taxBps: random.pick([0, 1_000, 5_000, random.int(0, 5_000)]),
        hostFeeBps: 300,
      };
      // Both ways of reading the custom nights: probed per listing, and joined from the stay's nights.
      const totalsBy = async (customNights: "probed" | "joined") => {
        const joins = stayTotalJoins(
          {
            id: Prisma.sql`l.id`,
            nightlyPrice: Prisma.sql`l.nightly_price`,
            cleaningFee: Prisma.sql`l.cleaning_fee`,
            weeklyDiscountPct: Prisma.sql`l.weekly_discount_pct`,
            monthlyDiscountPct: Prisma.sql`l.monthly_discount_pct`,
          },
          { checkIn, checkOut },
          pricing,
          customNights,
        );
        const prefix =
          customNights === "joined"
            ? Prisma.sql`WITH ${STAY_CUSTOM_NIGHTS} AS (${stayCustomNights({ checkIn, checkOut })})`
            : Prisma.empty;
        const rows = await t.app.db.$queryRaw<Array<{ id: string; total: number | null }>>(Prisma.sql`
          ${prefix} SELECT l.id, ${STAY_TOTAL} AS total
          FROM listings l ${joins}
          WHERE l.id = ANY(${cases.map((c) => c.id)}::uuid[])`);
        return new Map(rows.map((row) => [row.id, row.total]));
      };
      const totals = await totalsBy("probed");
      const joinedTotals = await totalsBy("joined");
      const nightsOfStay = eachNight(checkIn, checkOut).map(formatCalendarDate);
      for (const listing of cases) {
        let expected: number | null;
        try {
          expected = quoteListingStay(listing, checkIn, checkOut, listing.custom, pricing).total;
        } catch (error) {
          if (!(error instanceof AmountTooLargeError)) throw error;
          expected = null;
        }
        const context = `${JSON.stringify({ ...listing, custom: undefined })} ${formatCalendarDate(checkIn)}+${nights} ${JSON.stringify(pricing)}`;
        expect(totals.get(listing.id), context).toBe(expected);
        expect(joinedTotals.get(listing.id), `joined: ${context}`).toBe(expected);
        compared += 1;
        if (expected === null) refused += 1;
        if (nightsOfStay.some((night) => listing.custom.has(night))) custom += 1;
      }
    }
    console.info(
      `${compared} stays compared: ${refused} too large for one Money, ${custom} with custom nights`,
    );
    // The cases cover what they claim to.
    expect(refused).toBeGreaterThan(compared / 20);
    expect(custom).toBeGreaterThan(compared / 20);
  });
});
