// Input rules for listings, with the exact limits the API promises (tested at each boundary).
import { z } from "zod";
import { isKnownCurrency } from "../pricing/money.ts";

export const LIMITS = {
  titleMin: 5,
  titleMax: 120,
  descriptionMax: 5_000,
  nightlyPriceMin: 100,
  nightlyPriceMax: 10_000_000,
  cleaningFeeMax: 10_000_000,
  nightsMax: 365,
  guestsMax: 50,
  photosMax: 50,
} as const;

const trimmedLength = (min: number, max: number) =>
  z
    .string()
    .refine(
      (value) => value.trim().length >= min,
      min === 1 ? "must not be empty" : `must be at least ${min} characters`,
    )
    .refine((value) => value.trim().length <= max, `must be at most ${max} characters`);

const intBetween = (min: number, max: number) =>
  z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const httpUrl = z
  .string()
  .max(2048, "must be at most 2048 characters")
  .refine((value) => /^https?:\/\/\S+$/i.test(value) && URL.canParse(value), "must be an http(s) URL");

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const listingFields = {
  title: trimmedLength(LIMITS.titleMin, LIMITS.titleMax),
  description: z.string().max(LIMITS.descriptionMax, `must be at most ${LIMITS.descriptionMax} characters`),
  address: z.looseObject({
    line1: trimmedLength(1, 200),
    line2: z.string().max(200, "must be at most 200 characters").nullish(),
    city: trimmedLength(1, 100),
    region: z.string().max(100, "must be at most 100 characters").nullish(),
    postalCode: z.string().max(20, "must be at most 20 characters").nullish(),
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
  nightlyPrice: intBetween(LIMITS.nightlyPriceMin, LIMITS.nightlyPriceMax),
  currency: z.string().refine((value) => isKnownCurrency(value), "must be an ISO 4217 currency code"),
  cleaningFee: intBetween(0, LIMITS.cleaningFeeMax),
  weeklyDiscountPercent: intBetween(0, 99),
  monthlyDiscountPercent: intBetween(0, 99),
  minNights: intBetween(1, LIMITS.nightsMax),
  maxNights: intBetween(1, LIMITS.nightsMax),
  amenityCodes: z.array(z.string()).max(100, "must list at most 100 amenities"),
  houseRules: z.string().max(LIMITS.descriptionMax, `must be at most ${LIMITS.descriptionMax} characters`),
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

/** Every field checked; absent optional ones are fine (defaults apply on create). */
export const createListingRules = z
  .looseObject(optionalFields(listingFields) as Optional<Fields>)
  .superRefine(minNotAboveMax);
export const updateListingRules = createListingRules;

export const photoRules = z.looseObject({
  photos: z
    .array(
      z.looseObject({
        url: httpUrl,
        caption: z.string().max(500, "must be at most 500 characters").nullish(),
      }),
    )
    .min(1, "must add at least one photo")
    .max(LIMITS.photosMax, `must add at most ${LIMITS.photosMax} photos`),
});
