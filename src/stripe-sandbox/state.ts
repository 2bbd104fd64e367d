import { randomBytes } from 'node:crypto';
import type { IdempotencyRecord } from './idempotency';
import type {
  AccountObject,
  BalanceTransactionObject,
  ChargeObject,
  DisputeObject,
  EventObject,
  PaymentIntentObject,
  RefundObject,
  TransferObject,
  TransferReversalObject,
} from './objects';
import type { ScheduledTask } from './scheduler';

/** A connected account's available balance per currency (what a reversal can take back). */
export interface AccountBalance {
  id: string;
  available: Record<string, number>;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_EVENTS = 10_000;

/** Random base62, like the tail of Stripe's ids. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

/**
 * All of the sandbox's objects, in memory. Maps keep insertion order, so lists (newest first,
 * like Stripe's) are the reversed values. Handlers are synchronous, so each request's changes
 * are atomic with respect to every other request.
 */
export class SandboxState {
  readonly paymentIntents = new Map<string, PaymentIntentObject>();
  readonly charges = new Map<string, ChargeObject>();
  readonly refunds = new Map<string, RefundObject>();
  readonly transfers = new Map<string, TransferObject>();
  readonly reversals = new Map<string, TransferReversalObject>();
  readonly accounts = new Map<string, AccountObject>();
  readonly disputes = new Map<string, DisputeObject>();
  readonly balanceTransactions = new Map<string, BalanceTransactionObject>();
  readonly events = new Map<string, EventObject>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly accountBalances = new Map<string, AccountBalance>();
  readonly scheduled = new Map<string, ScheduledTask>();
  private listeners: (() => void)[] = [];

  constructor(private readonly clock: () => number = Date.now) {}

  nowMs(): number {
    return this.clock();
  }

  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  newId(prefix: string): string {
    return `${prefix}_${randomToken(24)}`;
  }

  /** Every collection an id can name, by Stripe's id prefix (used by `expand[]`). */
  findById(id: string): object | undefined {
    const prefix = id.slice(0, id.indexOf('_'));
    const table: Record<string, Map<string, object>> = {
      pi: this.paymentIntents,
      ch: this.charges,
      re: this.refunds,
      tr: this.transfers,
      trr: this.reversals,
      acct: this.accounts,
      dp: this.disputes,
      txn: this.balanceTransactions,
      evt: this.events,
    };
    return table[prefix]?.get(id);
  }

  addEvent(event: EventObject): void {
    this.events.set(event.id, event);
    if (this.events.size > MAX_EVENTS) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
  }

  /** Called after every change; the state file subscribes to it. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  toJSON(): SerializedState {
    return {
      version: 1,
      paymentIntents: [...this.paymentIntents.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
      transfers: [...this.transfers.values()],
      reversals: [...this.reversals.values()],
      accounts: [...this.accounts.values()],
      disputes: [...this.disputes.values()],
      balanceTransactions: [...this.balanceTransactions.values()],
      events: [...this.events.values()],
      idempotency: [...this.idempotency.entries()],
      accountBalances: [...this.accountBalances.values()],
      scheduled: [...this.scheduled.values()],
    };
  }

  restore(saved: SerializedState): void {
    if (saved.version !== 1) throw new Error(`Unknown sandbox state version ${String(saved.version)}`);
    const fill = <T extends { id: string }>(map: Map<string, T>, items: T[] | undefined) => {
      map.clear();
      for (const item of items ?? []) map.set(item.id, item);
    };
    fill(this.paymentIntents, saved.paymentIntents);
    fill(this.charges, saved.charges);
    // Files written before charges stopped embedding `refunds` (Stripe API 2022-11-15).
    for (const charge of this.charges.values()) delete (charge as { refunds?: unknown }).refunds;
    fill(this.refunds, saved.refunds);
    fill(this.transfers, saved.transfers);
    fill(this.reversals, saved.reversals);
    fill(this.accounts, saved.accounts);
    fill(this.disputes, saved.disputes);
    fill(this.balanceTransactions, saved.balanceTransactions);
    fill(this.events, saved.events);
    this.idempotency.clear();
    for (const [key, record] of saved.idempotency ?? []) this.idempotency.set(key, record);
    fill(this.scheduled, saved.scheduled);
    if (saved.accountBalances) fill(this.accountBalances, saved.accountBalances);
    else this.rebuildAccountBalances();
  }

  /** State files written before balances were kept: what was transferred, less what was reversed. */
  private rebuildAccountBalances(): void {
    this.accountBalances.clear();
    for (const transfer of this.transfers.values()) {
      const entry = this.accountBalances.get(transfer.destination) ?? { id: transfer.destination, available: {} };
      entry.available[transfer.currency] = (entry.available[transfer.currency] ?? 0) + transfer.amount - transfer.amount_reversed;
      this.accountBalances.set(entry.id, entry);
    }
  }
}

export interface SerializedState {
  version: number;
  paymentIntents: PaymentIntentObject[];
  charges: ChargeObject[];
  refunds: RefundObject[];
  transfers: TransferObject[];
  reversals: TransferReversalObject[];
  accounts: AccountObject[];
  disputes: DisputeObject[];
  balanceTransactions: BalanceTransactionObject[];
  events: EventObject[];
  idempotency: [string, IdempotencyRecord][];
  accountBalances?: AccountBalance[];
  scheduled?: ScheduledTask[];
}
