import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';

export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One check in this many also deletes idle counters. */
const CLEANUP_EVERY = 200;

/** A batch of hits for one counter (HybridThrottlerStorage's flush). */
export interface CounterHits {
  key: string;
  hits: number;
  ttl: number;
  limit: number;
  blockDuration: number;
}

interface Row {
  hits: number;
  expires_in: number;
  blocked: boolean;
  blocked_for: number | null;
}

/*
 * One atomic upsert per check (the SQL function fixbid_rate_limit_hit, see its migration), on the
 * database clock, so N processes share each counter (L1). Semantics follow @nestjs/throttler's
 * in-memory storage, with a fixed window:
 *  - blocked (blocked_until in the future): refuse, do not count;
 *  - window over, or block over: start a new window with these hits;
 *  - otherwise count them; going over `limit` blocks for `blockDuration` (0: until the window ends).
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);

  constructor(private readonly ds: DataSource) {}

  /** `key` already names the throttler (RateLimitGuard.generateKey), so the name is not stored. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    return this.incrementBy(key, 1, ttl, limit, blockDuration);
  }

  /** `n` hits at once (the last of them is the request being decided). */
  async incrementBy(key: string, n: number, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    if (Math.random() * CLEANUP_EVERY < 1) void this.deleteIdle();
    const rows = (await this.ds.query(`SELECT * FROM fixbid_rate_limit_hit($1, $2, $3, $4, $5)`, [key, n, ttl, limit, blockDuration])) as Row[];
    return record(rows[0]);
  }

  /** Many counters' hits in one round trip; the records in the same order. */
  async incrementMany(batch: readonly CounterHits[]): Promise<ThrottlerStorageRecord[]> {
    if (batch.length === 0) return [];
    const rows = (await this.ds.query(
      `SELECT f.* FROM unnest($1::text[], $2::int[], $3::float8[], $4::int[], $5::float8[]) WITH ORDINALITY AS i(key, n, ttl, lim, block, ord)
         CROSS JOIN LATERAL fixbid_rate_limit_hit(i.key, i.n, i.ttl, i.lim, i.block) f
        ORDER BY i.ord`,
      [batch.map((b) => b.key), batch.map((b) => b.hits), batch.map((b) => b.ttl), batch.map((b) => b.limit), batch.map((b) => b.blockDuration)],
    )) as Row[];
    return rows.map(record);
  }

  async deleteIdle(): Promise<void> {
    try {
      await this.ds.query(`DELETE FROM rate_limit_hits WHERE expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())`);
    } catch (err) {
      this.logger.warn({ err }, 'rate limit cleanup failed');
    }
  }
}

function record(row: Row): ThrottlerStorageRecord {
  return {
    totalHits: row.hits,
    timeToExpire: row.expires_in,
    isBlocked: row.blocked,
    timeToBlockExpire: row.blocked ? Math.max(1, row.blocked_for ?? 1) : 0,
  };
}
