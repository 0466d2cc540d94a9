// The soak's invariants, checked with SQL against its private database once the load has stopped
// and the worker has drained what was due. Each check names what it counts; any non-zero count
// (or a mismatch) is a violation.
import { readdirSync } from "node:fs";
import pg from "pg";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CheckInput {
  databaseUrl: string;
  /** Bookings and messages created at or after this instant are the soak's own. */
  since: Date;
  /** Booking ids the API acknowledged (a 200 carrying the booking). */
  acknowledgedBookings: string[];
  /** Message ids the API acknowledged. */
  acknowledgedMessages: string[];
  mailDir: string;
}

/**
 * Jobs still due: run_at passed and not failed for good, locked or not. A job the SIGKILLed
 * worker held stays due until the heartbeat sweeper hands it back and another pool runs it.
 */
export const DUE_JOBS_SQL = `SELECT count(*)::int AS n FROM graphile_worker.jobs
  WHERE run_at <= now() AND attempts < max_attempts`;

export async function checkInvariants(input: CheckInput): Promise<Check[]> {
  const client = new pg.Client({ connectionString: input.databaseUrl, application_name: "roost-soak-check" });
  await client.connect();
  const count = async (sql: string, values: unknown[] = []) =>
    Number((await client.query<{ n: number }>(sql, values)).rows[0]?.n ?? 0);
  const checks: Check[] = [];
  const zero = (name: string, n: number, what: string) =>
    checks.push({ name, ok: n === 0, detail: n === 0 ? `none (${what})` : `${n} ${what}` });
  try {
    const soakBookings = await count(`SELECT count(*)::int AS n FROM bookings WHERE created_at >= $1`, [
      input.since,
    ]);
    zero(
      "no double booking",
      await count(
        `SELECT count(*)::int AS n FROM bookings a JOIN bookings b
           ON a.listing_id = b.listing_id AND a.id < b.id
         WHERE a.status IN ('PENDING', 'CONFIRMED') AND b.status IN ('PENDING', 'CONFIRMED')
           AND daterange(a.check_in, a.check_out) && daterange(b.check_in, b.check_out)`,
      ),
      `overlapping live pairs among ${soakBookings} soak bookings`,
    );
    const acknowledged = new Set(input.acknowledgedBookings);
    const found = await count(`SELECT count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[])`, [
      [...acknowledged],
    ]);
    zero(
      "acknowledged bookings kept",
      acknowledged.size - found,
      `of ${acknowledged.size} acknowledged bookings missing`,
    );
    const messages = new Set(input.acknowledgedMessages);
    const foundMessages = await count(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[])`, [
      [...messages],
    ]);
    zero(
      "acknowledged messages kept",
      messages.size - foundMessages,
      `of ${messages.size} acknowledged messages missing`,
    );

    zero(
      "every journal balanced",
      await count(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM ledger_entries GROUP BY journal_id, currency
         HAVING sum(amount) <> 0) AS unbalanced`,
      ),
      `unbalanced journals of ${await count("SELECT count(DISTINCT journal_id)::int AS n FROM ledger_entries")}`,
    );
    // The ledger's guest funds for a booking are what its payment captured less what it refunded.
    zero(
      "guest funds = captured − refunded",
      await count(
        `SELECT count(*)::int AS n FROM payments p
         WHERE p.captured - p.refunded <> coalesce((SELECT sum(l.amount) FROM ledger_entries l
                 WHERE l.booking_id = p.booking_id AND l.account = 'GUEST_FUNDS'), 0)`,
      ),
      `payments disagreeing with the ledger of ${await count("SELECT count(*)::int AS n FROM payments")}`,
    );
    // A live soak booking holds money the way its state says: a request an authorization, an
    // instant (or accepted) booking a capture.
    zero(
      "booking and payment agree",
      await count(
        `SELECT count(*)::int AS n FROM bookings b LEFT JOIN payments p ON p.booking_id = b.id
         WHERE b.created_at >= $1 AND (
           (b.status = 'PENDING' AND p.status IS DISTINCT FROM 'AUTHORIZED') OR
           (b.status = 'CONFIRMED' AND p.status IS DISTINCT FROM 'CAPTURED'))`,
        [input.since],
      ),
      "live soak bookings whose payment is not authorized/captured",
    );

    zero(
      "no job failed for good",
      await count(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE attempts >= max_attempts`),
      "jobs out of attempts",
    );
    zero(
      "no job stuck locked",
      await count(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE locked_at IS NOT NULL`),
      "jobs locked after the drain",
    );
    zero("no due job left", await count(DUE_JOBS_SQL), "due jobs not run");

    // notify() queues exactly one e-mail per notification, and send_email writes one
    // email_outbox row per e-mail and one .eml file named by its id: the three counts agree.
    const notifications = await count("SELECT count(*)::int AS n FROM notifications");
    const outboxIds = new Set(
      (await client.query<{ id: string }>("SELECT id::text AS id FROM email_outbox")).rows.map((r) => r.id),
    );
    const files = readdirSync(input.mailDir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".eml"))
      .map((entry) => entry.name.slice(0, -".eml".length));
    const filesWithoutRow = files.filter((id) => !outboxIds.has(id)).length;
    const rowsWithoutFile = [...outboxIds].filter((id) => !files.includes(id)).length;
    checks.push({
      name: "every e-mail sent once",
      ok: notifications === outboxIds.size && filesWithoutRow === 0 && rowsWithoutFile === 0,
      detail: `${notifications} notifications, ${outboxIds.size} email_outbox rows, ${files.length} .eml files (${filesWithoutRow} without a row, ${rowsWithoutFile} rows without a file)`,
    });
    // Each booking's notice is written in the booking's own transaction: a committed booking
    // without its guest's notification would be an event lost after commit.
    zero(
      "every booking notified",
      await count(
        `SELECT count(*)::int AS n FROM bookings b WHERE b.created_at >= $1 AND NOT EXISTS (
           SELECT 1 FROM notifications n WHERE n.user_id = b.guest_id AND n.data->>'bookingId' = b.id::text)`,
        [input.since],
      ),
      `soak bookings without their guest's notification of ${soakBookings}`,
    );
  } finally {
    await client.end();
  }
  return checks;
}
