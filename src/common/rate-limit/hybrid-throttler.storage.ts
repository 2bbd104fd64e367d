import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { CounterHits, PostgresThrottlerStorage, ThrottlerStorageRecord } from './postgres-throttler.storage';

/** Throttlers counted in PostgreSQL at every hit, whatever the budget: login and register (L1: no overshoot). */
export const EXACT_THROTTLERS: ReadonlySet<string> = new Set(['auth-ip', 'auth-email']);
/** Budgets below this are counted in PostgreSQL at every hit (a few dozen a minute cost nothing). */
export const MIN_LOCAL_LIMIT = 100;
/** Below this share of its budget a caller is counted in memory; from it on, in PostgreSQL at once. */
export const LOCAL_SHARE = 0.25;
/** How often the in-memory counts are added to the shared ones. */
export const FLUSH_MS = 500;
/** Callers counted in memory at most; beyond, new callers are counted in PostgreSQL directly. */
const MAX_LOCAL_KEYS = 100_000;

interface Counter {
  readonly ttl: number;
  readonly limit: number;
  readonly blockDuration: number;
  /** The shared window's end and block (as of the last exchange with PostgreSQL), ms since the epoch. */
  windowEnd: number;
  blockedUntil: number;
  /** The shared count at the last exchange, and the hits counted here since. */
  known: number;
  pending: number;
}

/**
 * ThrottlerStorage with no database round trip for a caller well within its budget (issue 11:
 * no write on a read). A caller below a quarter of its budget is counted in process memory, and
 * every FLUSH_MS the counts are added to the shared PostgreSQL counters in one statement — which
 * also tells this process what the others counted and whether the caller is blocked. From a
 * quarter on, every hit goes to PostgreSQL at once (with the hits still pending), exactly as
 * before. Login and register, and any budget under MIN_LOCAL_LIMIT, are always counted there.
 *
 * The bound (L1): each process counts at most ⌊L/4⌋ hits of a caller in memory before the shared
 * count includes them, so N processes can admit at most (N − 1) · ⌊L/4⌋ more than L in a window
 * (none with one process; 150 over a 600-a-minute budget with two) — and only within FLUSH_MS of
 * a burst, since each flush brings every process up to date.
 */
export class HybridThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(HybridThrottlerStorage.name);
  private readonly counters = new Map<string, Counter>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;

  constructor(private readonly shared: PostgresThrottlerStorage) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName = ''): Promise<ThrottlerStorageRecord> {
    if (EXACT_THROTTLERS.has(throttlerName) || limit < MIN_LOCAL_LIMIT) return this.shared.increment(key, ttl, limit, blockDuration);
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || (counter.windowEnd <= now && counter.blockedUntil <= now && counter.pending === 0)) {
      if (!counter && this.counters.size >= MAX_LOCAL_KEYS) return this.shared.increment(key, ttl, limit, blockDuration);
      counter = { ttl, limit, blockDuration, windowEnd: now + ttl, blockedUntil: 0, known: 0, pending: 0 };
      this.counters.set(key, counter);
    }
    if (counter.blockedUntil > now) {
      return { totalHits: counter.known + counter.pending, timeToExpire: seconds(counter.windowEnd - now), isBlocked: true, timeToBlockExpire: Math.max(1, seconds(counter.blockedUntil - now)) };
    }
    if (counter.known + counter.pending + 1 <= Math.floor(limit * LOCAL_SHARE)) {
      counter.pending += 1;
      return { totalHits: counter.known + counter.pending, timeToExpire: seconds(counter.windowEnd - now), isBlocked: false, timeToBlockExpire: 0 };
    }
    // Close to the budget: this hit, with what is pending here, is counted in PostgreSQL now. They
    // count as known at once, so the hits that arrive while this one is on its way stay exact too.
    const hits = counter.pending + 1;
    counter.pending = 0;
    counter.known += hits;
    const shared = await this.shared.incrementBy(key, hits, ttl, limit, blockDuration);
    this.adopt(counter, shared, Date.now());
    return shared;
  }

  /** Adds every pending count to the shared counters (one statement) and learns their state. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flushOnce().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Stops the flush timer after a last flush (the module's shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async flushOnce(): Promise<void> {
    const now = Date.now();
    const batch: Array<CounterHits & { counter: Counter }> = [];
    for (const [key, counter] of this.counters) {
      if (counter.pending > 0) batch.push({ key, hits: counter.pending, ttl: counter.ttl, limit: counter.limit, blockDuration: counter.blockDuration, counter });
      else if (counter.windowEnd <= now && counter.blockedUntil <= now) this.counters.delete(key);
    }
    if (batch.length === 0) return;
    for (const item of batch) {
      item.counter.pending -= item.hits;
      item.counter.known += item.hits;
    }
    try {
      const records = await this.shared.incrementMany(batch);
      const at = Date.now();
      records.forEach((shared, i) => this.adopt(batch[i].counter, shared, at));
    } catch (err) {
      // Not lost: counted again at the next flush.
      for (const item of batch) {
        item.counter.pending += item.hits;
        item.counter.known -= item.hits;
      }
      this.logger.warn({ err, callers: batch.length }, 'rate limit flush failed; retrying');
    }
  }

  /**
   * What PostgreSQL said. Answers to hits sent at the same time arrive in any order: within one
   * window the count only grows, so the highest is kept; a later window (the shared one started
   * afresh) replaces it.
   */
  private adopt(counter: Counter, shared: ThrottlerStorageRecord, now: number): void {
    const windowEnd = now + shared.timeToExpire * 1000;
    const newWindow = windowEnd > counter.windowEnd + 1000;
    counter.known = newWindow ? shared.totalHits : Math.max(counter.known, shared.totalHits);
    counter.windowEnd = newWindow ? windowEnd : Math.max(counter.windowEnd, windowEnd);
    if (shared.isBlocked) counter.blockedUntil = Math.max(counter.blockedUntil, now + shared.timeToBlockExpire * 1000);
  }
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
