// Assembles the schema: each module registers its types and fields on import.
import "./scalars.ts";
import "../modules/accounts/schema.ts";
import { builder } from "./builder.ts";

export const schema = builder.toSchema({ sortSchema: true });
