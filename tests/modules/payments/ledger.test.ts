// The ledger's invariants are the database's: a journal that does not balance cannot commit, and
// entries are never edited. postJournal refuses to write one first, with a clearer error.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlState } from "../../../src/infra/db-errors.ts";
import { captureLines, payoutLines, postJournal, refundLines } from "../../../src/modules/payments/ledger.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { insertBookingRow } from "../../helpers/booking-rows.ts";
import { factories } from "../../helpers/factories.ts";

let t: TestApp;
let bookingId: string;

beforeAll(async () => {
  t = await startTestApp();
  const make = factories(t);
  const host = await make.user().create();
  const guest = await make.user().create();
  const listing = await make.listing(host).listed().create();
  ({ id: bookingId } = await insertBookingRow(t, {
    listing,
    guest,
    checkIn: "2031-01-01",
    checkOut: "2031-01-03",
    status: "CONFIRMED",
  }));
});
afterAll(() => t.close());

const entry = (journalId: string, account: "GUEST_FUNDS" | "HOST_PAYABLE", amount: bigint) => ({
  journalId,
  account,
  amount,
  currency: "EUR",
  bookingId,
});

describe("the database", () => {
  it("refuses to commit a journal that does not balance, written entry by entry", async () => {
    const journalId = randomUUID();
    const unbalanced = t.app.db.$transaction(async (tx) => {
      await tx.ledgerEntry.create({ data: entry(journalId, "GUEST_FUNDS", 100n) });
      await tx.ledgerEntry.create({ data: entry(journalId, "HOST_PAYABLE", -99n) });
    });
    await expect(unbalanced).rejects.toThrow(/does not balance/);
    expect(await t.app.db.ledgerEntry.count({ where: { journalId } })).toBe(0);
  });

  it("commits one that balances, though entries written alone would not", async () => {
    const journalId = randomUUID();
    await t.app.db.$transaction(async (tx) => {
      await tx.ledgerEntry.create({ data: entry(journalId, "GUEST_FUNDS", 100n) });
      await tx.ledgerEntry.create({ data: entry(journalId, "HOST_PAYABLE", -100n) });
    });
    expect(await t.app.db.ledgerEntry.count({ where: { journalId } })).toBe(2);
  });

  it("never lets an entry change or go", async () => {
    const journalId = randomUUID();
    await t.app.db.ledgerEntry.createMany({
      data: [entry(journalId, "GUEST_FUNDS", 5n), entry(journalId, "HOST_PAYABLE", -5n)],
    });
    const refusal = (attempt: Promise<unknown>) => attempt.then(() => undefined, sqlState);
    // 23001 (restrict_violation): the append-only trigger.
    const edit = t.app.db.ledgerEntry.updateMany({ where: { journalId }, data: { amount: 6n } });
    expect(await refusal(edit)).toBe("23001");
    expect(await refusal(t.app.db.ledgerEntry.deleteMany({ where: { journalId } }))).toBe("23001");
    expect(await t.app.db.ledgerEntry.count({ where: { journalId, amount: 5n } })).toBe(1);
  });
});

describe("journals", () => {
  const parts = { hostShare: 22_500n, serviceFee: 3_150n, taxes: 1_000n };

  it.each([
    ["capture", captureLines(parts)],
    ["refund", refundLines(parts)],
    ["payout", payoutLines({ hostShare: 22_500n, fee: 675n })],
  ])("%s lines sum to zero", (_name, lines) => {
    expect(lines.reduce((sum, line) => sum + line.amount, 0n)).toBe(0n);
  });

  it("postJournal refuses an unbalanced journal before the database sees it", async () => {
    await expect(
      t.app.db.$transaction((tx) =>
        postJournal(tx, {
          currency: "EUR",
          memo: "broken",
          bookingId,
          lines: [{ account: "GUEST_FUNDS", amount: 1n }],
        }),
      ),
    ).rejects.toThrow(/does not balance \(1\)/);
  });
});
