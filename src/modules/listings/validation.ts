// Input rules for listings, with the exact limits the API promises (tested at each boundary).
import { z } from "zod";
import { publicHttpUrl, textRule } from "../../graphql/validation.ts";
import { isKnownCurrency, isSupportedCurrency, nightlyPriceIssues } from "../pricing/money.ts";

export const LIMITS = {
  titleMin: 5,
  titleMax: 120,
  descriptionMax: 5_000,
  nightsMax: 365,
  guestsMax: 50,
  photosMax: 50,
} as const;

const intBetween = (min: number, max: number) =>
  z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const listingFields = {
  // Titles are shown to everyone: no bidirectional controls, not only invisible characters.
  title: textRule({ min: LIMITS.titleMin, max: LIMITS.titleMax, noBidi: true }),
  description: textRule({ max: LIMITS.descriptionMax, multiline: true }),
  address: z.looseObject({
    line1: textRule({ min: 1, max: 200 }),
    line2: textRule({ max: 200 }).nullish(),
    city: textRule({ min: 1, max: 100 }),
    region: textRule({ max: 100 }).nullish(),
    postalCode: textRule({ max: 20 }).nullish(),
    country: z.string().refine((value) => /^[A-Za-z]{2}$/.test(value), "must be an ISO 3166-1 alpha-2 code"),
  }),
  location: z.looseObject({
    lat: z.number().min(-90, "must be at least -90").max(90, "must be at most 90"),
    lng: z.number().min(-180, "must be at least -180").max(180, "must be at most 180"),
  }),
  maxGuests: intBetween(1, LIMITS.guestsMax),
  bedrooms: intBetween(0, 50),
  beds: intBetween(0, 100),
  bathrooms: z
    .number()
    .min(0, "must be at least 0")
    .max(50, "must be at most 50")
    .refine((value) => Number.isInteger(value * 2), "must be a whole or half number"),
  // Price limits depend on the currency (pricing/money.ts): pricesWithinCurrencyLimits checks them.
  nightlyPrice: z.number().int("must be a whole number of minor units"),
  currency: z.string().superRefine((code, ctx) => {
    if (!isKnownCurrency(code))
      ctx.addIssue({ code: "custom", message: "must be an ISO 4217 currency code" });
    else if (!isSupportedCurrency(code))
      ctx.addIssue({
        code: "custom",
        message: `${code} is not a currency listings can be priced in (see \`currencies\`)`,
      });
  }),
  cleaningFee: z.number().int("must be a whole number of minor units"),
  weeklyDiscountPercent: intBetween(0, 99),
  monthlyDiscountPercent: intBetween(0, 99),
  minNights: intBetween(1, LIMITS.nightsMax),
  maxNights: intBetween(1, LIMITS.nightsMax),
  amenityCodes: z.array(z.string()).max(100, "must list at most 100 amenities"),
  houseRules: textRule({ max: LIMITS.descriptionMax, multiline: true }),
  checkInTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time HH:MM"),
  checkOutTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time HH:MM"),
  timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Lisbon"),
};

type Fields = typeof listingFields;
type Optional<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> };

function optionalFields<T extends Record<string, z.ZodType>>(fields: T): Optional<T> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, rule]) => [key, rule.nullish()]),
  ) as Optional<T>;
}

const minNotAboveMax = (
  value: { minNights?: number | null; maxNights?: number | null },
  ctx: z.RefinementCtx,
) => {
  if (value.minNights != null && value.maxNights != null && value.minNights > value.maxNights) {
    ctx.addIssue({ code: "custom", path: ["minNights"], message: "must not exceed maxNights" });
  }
};

/**
 * Prices within the limits of the input's currency. Without one (an update that keeps the
 * currency) the widest limits apply here, and the service checks the listing's own currency.
 */
const pricesWithinCurrencyLimits = (
  value: { currency?: string | null; nightlyPrice?: number | null; cleaningFee?: number | null },
  ctx: z.RefinementCtx,
) => {
  for (const issue of nightlyPriceIssues(value.currency, value)) {
    ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  }
};

/** Every field checked; absent optional ones are fine (defaults apply on create). */
export const createListingRules = z
  .looseObject(optionalFields(listingFields) as Optional<Fields>)
  .superRefine(minNotAboveMax)
  .superRefine(pricesWithinCurrencyLimits);
export const updateListingRules = createListingRules;

export const photoRules = z.looseObject({
  photos: z
    .array(
      z.looseObject({
        url: publicHttpUrl,
        caption: textRule({ max: 500 }).nullish(),
      }),
    )
    .min(1, "must add at least one photo")
    .max(LIMITS.photosMax, `must add at most ${LIMITS.photosMax} photos`),
});
