// The double-entry ledger: every money movement is one journal whose entries sum to zero per
// currency (a deferred constraint trigger refuses an unbalanced commit). Positive amounts are
// debits, negative credits. What each movement books:
//   capture  GUEST_FUNDS +total    | HOST_PAYABLE −host share, PLATFORM_REVENUE −service fee, TAXES_PAYABLE −taxes
//   refund   HOST_PAYABLE +nights and cleaning refunded, PLATFORM_REVENUE +service fee refunded,
//            TAXES_PAYABLE +taxes refunded | GUEST_FUNDS −refund
//   payout   HOST_PAYABLE +host share kept | PLATFORM_REVENUE −host fee, PAYOUTS −amount paid
// So once a stay is settled HOST_PAYABLE nets to zero, GUEST_FUNDS to captured − refunded and
// PAYOUTS to −(what the host received).
import { randomUUID } from "node:crypto";
import type { LedgerAccount } from "../../generated/prisma/enums.ts";
import type { Tx } from "../../infra/unit-of-work.ts";

export interface JournalLine {
  account: LedgerAccount;
  amount: bigint;
}

export interface Journal {
  currency: string;
  memo: string;
  bookingId: string;
  paymentId?: string;
  payoutId?: string;
  lines: JournalLine[];
}

/** Writes one journal; lines of zero are left out. Throws before the database would. */
export async function postJournal(tx: Tx, journal: Journal): Promise<string> {
  const lines = journal.lines.filter((line) => line.amount !== 0n);
  const balance = lines.reduce((sum, line) => sum + line.amount, 0n);
  if (balance !== 0n) throw new Error(`journal "${journal.memo}" does not balance (${balance})`);
  const journalId = randomUUID();
  if (lines.length === 0) return journalId;
  await tx.ledgerEntry.createMany({
    data: lines.map((line) => ({
      journalId,
      account: line.account,
      amount: line.amount,
      currency: journal.currency,
      bookingId: journal.bookingId,
      paymentId: journal.paymentId ?? null,
      payoutId: journal.payoutId ?? null,
      memo: journal.memo,
    })),
  });
  return journalId;
}

/** The parts of a guest's payment, in minor units. */
export interface PaymentParts {
  /** Nights after discount plus cleaning fee: what the host's share is made of. */
  hostShare: bigint;
  serviceFee: bigint;
  taxes: bigint;
}

export const captureLines = (parts: PaymentParts): JournalLine[] => [
  { account: "GUEST_FUNDS", amount: parts.hostShare + parts.serviceFee + parts.taxes },
  { account: "HOST_PAYABLE", amount: -parts.hostShare },
  { account: "PLATFORM_REVENUE", amount: -parts.serviceFee },
  { account: "TAXES_PAYABLE", amount: -parts.taxes },
];

export const refundLines = (parts: PaymentParts): JournalLine[] => [
  { account: "HOST_PAYABLE", amount: parts.hostShare },
  { account: "PLATFORM_REVENUE", amount: parts.serviceFee },
  { account: "TAXES_PAYABLE", amount: parts.taxes },
  { account: "GUEST_FUNDS", amount: -(parts.hostShare + parts.serviceFee + parts.taxes) },
];

export const payoutLines = (payout: { hostShare: bigint; fee: bigint }): JournalLine[] => [
  { account: "HOST_PAYABLE", amount: payout.hostShare },
  { account: "PLATFORM_REVENUE", amount: -payout.fee },
  { account: "PAYOUTS", amount: -(payout.hostShare - payout.fee) },
];
