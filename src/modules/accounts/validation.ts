// Input rules for accounts, checked at the edge (Pothos validation plugin).
import { z } from "zod";

export const emailRule = z
  .string()
  .max(254, "must be at most 254 characters")
  .refine((value) => z.email().safeParse(value.trim()).success, "must be a valid e-mail address");
export const passwordLengthRule = z.string().max(200, "must be at most 200 characters");
export const newPasswordRule = passwordLengthRule.min(8, "must be at least 8 characters");
export const nameRule = z
  .string()
  .refine((value) => value.trim().length > 0, "must not be empty")
  .refine((value) => value.trim().length <= 60, "must be at most 60 characters");
export const httpUrlRule = z
  .string()
  .max(2048, "must be at most 2048 characters")
  .refine((value) => /^https?:\/\/[^\s]+$/i.test(value) && URL.canParse(value), "must be an http(s) URL");
export const bioRule = z.string().max(1000, "must be at most 1000 characters");

/** E-mail addresses are compared case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
