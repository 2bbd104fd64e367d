import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One check in this many also deletes idle counters. */
const CLEANUP_EVERY = 200;

/*
 * One atomic upsert per check, on the database clock, so N processes share each counter (L1).
 * Semantics follow @nestjs/throttler's in-memory storage, with a fixed window:
 *  - blocked (blocked_until in the future): refuse, do not count;
 *  - window over, or block over: start a new window with this hit;
 *  - otherwise count the hit; going over `limit` blocks for `blockDuration`
 *    (0 means: until the window ends).
 * $1 key, $2 ttl ms, $3 limit, $4 block ms. In ON CONFLICT, `r.` is the row before this hit.
 */
const INCREMENT_SQL = `
WITH p AS (
  SELECT now() + make_interval(secs => $2::float8 / 1000) AS window_end,
         CASE WHEN $4::float8 > 0 THEN now() + make_interval(secs => $4::float8 / 1000) END AS block_end
)
INSERT INTO rate_limit_hits AS r (key, hits, expires_at, blocked_until)
SELECT $1, 1, p.window_end, CASE WHEN 1 > $3::int THEN coalesce(p.block_end, p.window_end) END FROM p
ON CONFLICT (key) DO UPDATE SET
  hits = CASE
    WHEN r.blocked_until > now() THEN r.hits
    WHEN r.expires_at <= now() OR r.blocked_until <= now() THEN 1
    ELSE r.hits + 1 END,
  expires_at = CASE
    WHEN r.blocked_until > now() THEN r.expires_at
    WHEN r.expires_at <= now() OR r.blocked_until <= now() THEN (SELECT window_end FROM p)
    ELSE r.expires_at END,
  blocked_until = CASE
    WHEN r.blocked_until > now() THEN r.blocked_until
    WHEN r.expires_at <= now() OR r.blocked_until <= now() THEN
      CASE WHEN 1 > $3::int THEN (SELECT coalesce(block_end, window_end) FROM p) END
    WHEN r.hits + 1 > $3::int THEN (SELECT coalesce(block_end, r.expires_at) FROM p)
    ELSE NULL END
RETURNING hits,
  greatest(ceil(extract(epoch FROM expires_at - clock_timestamp())), 0)::int AS expires_in,
  coalesce(blocked_until > now(), false) AS blocked,
  greatest(ceil(extract(epoch FROM blocked_until - clock_timestamp())), 0)::int AS blocked_for`;
// The remaining times use clock_timestamp(): now() is when this statement's transaction began,
// and a statement that waited for the row lock would otherwise report a window longer than the
// limit's own (Retry-After 61 for a 60 s window).

/** ThrottlerStorage on PostgreSQL: counters survive restarts and are shared across processes. */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);

  constructor(private readonly ds: DataSource) {}

  /** `key` already names the throttler (RateLimitGuard.generateKey), so the name is not stored. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    if (Math.random() * CLEANUP_EVERY < 1) void this.deleteIdle();
    const rows: Array<{ hits: number; expires_in: number; blocked: boolean; blocked_for: number | null }> =
      await this.ds.query(INCREMENT_SQL, [key, ttl, limit, blockDuration]);
    const row = rows[0];
    return {
      totalHits: row.hits,
      timeToExpire: row.expires_in,
      isBlocked: row.blocked,
      timeToBlockExpire: row.blocked ? Math.max(1, row.blocked_for ?? 1) : 0,
    };
  }

  async deleteIdle(): Promise<void> {
    try {
      await this.ds.query(
        `DELETE FROM rate_limit_hits WHERE expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())`,
      );
    } catch (err) {
      this.logger.warn({ err }, 'rate limit cleanup failed');
    }
  }
}
