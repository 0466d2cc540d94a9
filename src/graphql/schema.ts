// Assembles the schema: each module registers its types and fields on import.
import "./scalars.ts";
import "../modules/accounts/schema.ts";
import "../modules/pricing/schema.ts";
import "../modules/listings/schema.ts";
import "../modules/listings/host-schema.ts";
import "../modules/listings/calendar-schema.ts";
import "../modules/calendar-sync/schema.ts";
import "../modules/pricing/quote-schema.ts";
import "../modules/reviews/schema.ts";
import "../modules/reviews/mutation-schema.ts";
import "../modules/search/schema.ts";
import "../modules/bookings/schema.ts";
import "../modules/bookings/mutation-schema.ts";
import "../modules/messaging/schema.ts";
import "../modules/messaging/mutation-schema.ts";
import "../modules/wishlists/schema.ts";
import "../modules/notifications/schema.ts";
import "../modules/moderation/schema.ts";
import "../modules/moderation/report-schema.ts";
import "../modules/moderation/audit-schema.ts";
import "../modules/privacy/schema.ts";
import { builder } from "./builder.ts";

export const schema = builder.toSchema({ sortSchema: true });
