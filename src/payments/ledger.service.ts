import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isCurrency } from './domain/money';
import { LedgerAccount, LedgerKind, PostingLine, postingProblem } from './domain/ledger-postings';
import { LedgerTransaction } from './ledger-transaction.entity';

export interface Posting {
  kind: LedgerKind;
  /** Unique, from our ids: `funding:<escrowId>`, `release:<escrowId>`, `transfer:<escrowId>`, a refund key. */
  reference: string;
  escrowId: string;
  requestId: string;
  currency: string;
  /** The charge, transfer or refund this records, when Stripe made one (M4). */
  stripeObjectId?: string | null;
  lines: readonly PostingLine[];
}

/** A posting that does not balance is a bug in our code, never a user error: it must not be written. */
export class LedgerImbalanceError extends Error {
  constructor(reason: string) {
    super(`Refused ledger posting: ${reason}`);
    this.name = 'LedgerImbalanceError';
  }
}

/**
 * The double-entry ledger's only writer. `post` runs inside the caller's transaction — the one
 * that changes the state the money follows (M5) — and refuses an unbalanced posting before any
 * row is written; the database's deferred trigger checks the sum again at commit (M1).
 */
@Injectable()
export class LedgerService {
  /**
   * Writes the posting; returns false (and writes nothing) when one with this reference exists
   * already, so a retried step never posts twice.
   */
  async post(em: EntityManager, posting: Posting): Promise<boolean> {
    const problem = postingProblem(posting.lines);
    if (problem) throw new LedgerImbalanceError(problem);
    if (!isCurrency(posting.currency)) throw new LedgerImbalanceError(`unsupported currency ${posting.currency}`);
    // One statement: the transaction row (unique reference) and its entries only if it is new.
    const rows = (await em.query(
      `WITH txn AS (
         INSERT INTO ledger_transactions (kind, reference, escrow_id, request_id, stripe_object_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (reference) DO NOTHING
         RETURNING id
       )
       INSERT INTO ledger_entries (txn_id, account, amount, currency, escrow_id, request_id, kind)
       SELECT txn.id, l.account, l.amount, $6, $3, $4, $1
         FROM txn, unnest($7::text[], $8::bigint[]) AS l(account, amount)
       RETURNING txn_id`,
      [
        posting.kind,
        posting.reference,
        posting.escrowId,
        posting.requestId,
        posting.stripeObjectId ?? null,
        posting.currency,
        posting.lines.map((l) => l.account),
        posting.lines.map((l) => l.amount),
      ],
    )) as unknown[];
    return rows.length > 0;
  }

  async isPosted(em: EntityManager, reference: string): Promise<boolean> {
    return (await em.getRepository(LedgerTransaction).countBy({ reference })) > 0;
  }

  /** One escrow's balance on one account (e.g. what is still owed to its expert). */
  async escrowBalance(em: EntityManager, escrowId: string, account: LedgerAccount): Promise<number> {
    const [row] = (await em.query(`SELECT COALESCE(sum(amount), 0)::bigint AS "sum" FROM ledger_entries WHERE escrow_id = $1 AND account = $2`, [
      escrowId,
      account,
    ])) as Array<{ sum: string }>;
    return Number(row.sum);
  }

  /** The lines of one posting by its reference (empty when it was never posted). */
  async postingLines(em: EntityManager, reference: string): Promise<PostingLine[]> {
    const rows = (await em.query(
      `SELECT e.account, e.amount::bigint AS "amount" FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.txn_id WHERE t.reference = $1`,
      [reference],
    )) as Array<{ account: LedgerAccount; amount: string }>;
    return rows.map((r) => ({ account: r.account, amount: Number(r.amount) }));
  }
}
