// Input rules for accounts, checked at the edge (Pothos validation plugin).
import { z } from "zod";
import { publicHttpUrl, textRule } from "../../graphql/validation.ts";

export const emailRule = z
  .string()
  .max(254, "must be at most 254 characters")
  .refine((value) => z.email().safeParse(value.trim()).success, "must be a valid e-mail address");
export const passwordLengthRule = z.string().max(200, "must be at most 200 characters");
export const newPasswordRule = passwordLengthRule.min(8, "must be at least 8 characters");
/** Shown to other people (hosts, guests): no controls, no bidirectional overrides, not blank. */
export const nameRule = textRule({ min: 1, max: 60, noBidi: true });
/** Avatars are fetched by other people's clients: a public http(s) URL, like photos. */
export const httpUrlRule = textRule({ max: 2048 }).pipe(publicHttpUrl);
export const bioRule = textRule({ max: 1000, multiline: true });

/** E-mail addresses are compared case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
