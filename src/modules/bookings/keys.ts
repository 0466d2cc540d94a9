// Idempotency keys on the booking use cases: a booking answer is kept as the row it was, so a
// replay shows the first answer (its status then), not whatever the booking became since.
import type { App } from "../../app.ts";
import type { UserActor } from "../../core/actor.ts";
import type { Booking } from "../../generated/prisma/client.ts";
import { type IdempotencyCodec, idempotent, validateIdempotencyKey } from "../../infra/idempotency.ts";

const BOOKING_INSTANTS = [
  "checkIn",
  "checkOut",
  "expiresAt",
  "confirmedAt",
  "declinedAt",
  "cancelledAt",
  "completedAt",
  "createdAt",
  "updatedAt",
] as const;

export const bookingCodec: IdempotencyCodec<Booking> = {
  save: (booking) => JSON.parse(JSON.stringify({ ...booking, total: booking.total.toString() })),
  load: (stored) => {
    const row = stored as Record<string, unknown>;
    const revived: Record<string, unknown> = { ...row, total: BigInt(row.total as string) };
    for (const key of BOOKING_INSTANTS) {
      revived[key] = row[key] == null ? null : new Date(row[key] as string);
    }
    return revived as unknown as Booking;
  },
};

/**
 * Runs the use case once per (user, key): a replay returns the first answer. `required` makes a
 * missing key BAD_USER_INPUT; otherwise a call without one simply runs.
 */
export function oncePerKey<Input extends { idempotencyKey?: string | null }>(
  app: App,
  actor: UserActor,
  operation: string,
  input: Input,
  options: { required: boolean },
  run: () => Promise<Booking>,
): Promise<Booking> {
  if (!options.required && input.idempotencyKey == null) return run();
  const key = validateIdempotencyKey(input.idempotencyKey);
  const { idempotencyKey: _key, ...rest } = input;
  return idempotent(app, { userId: actor.userId, key, operation, input: rest }, bookingCodec, run);
}
