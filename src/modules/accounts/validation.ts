// Input rules for accounts, checked at the edge (Pothos validation plugin).
import { z } from "zod";
import { textRule } from "../../graphql/validation.ts";

export const emailRule = z
  .string()
  .max(254, "must be at most 254 characters")
  .refine((value) => z.email().safeParse(value.trim()).success, "must be a valid e-mail address");
export const passwordLengthRule = z.string().max(200, "must be at most 200 characters");
export const newPasswordRule = passwordLengthRule.min(8, "must be at least 8 characters");
/** Shown to other people (hosts, guests): no controls, no bidirectional overrides, not blank. */
export const nameRule = textRule({ min: 1, max: 60, noBidi: true });
// listings/validation.ts has its own http URL rule (photos); the two are to become one
// shared rule in graphql/validation.ts, which the listings work is writing.
export const httpUrlRule = textRule({ max: 2048 }).refine(
  (value) => /^https?:\/\/[^\s]+$/i.test(value) && URL.canParse(value),
  "must be an http(s) URL",
);
export const bioRule = textRule({ max: 1000, multiline: true });

/** E-mail addresses are compared case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
