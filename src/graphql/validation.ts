// Input validation at the edge. Rules are declared per input type as one object schema,
// so every bad field is reported at once (field-level rules stop at the first failure).
import { type ZodType, z } from "zod";

/** An object schema over some of an input's fields; other fields pass through untouched. */
export const inputRules = <Shape extends Record<string, ZodType>>(shape: Shape) => z.looseObject(shape);
