import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate-limit counter's one upsert as a function, so a process can count a batch of callers'
 * hits in one round trip (HybridThrottlerStorage flushes what it counted in memory) and a single
 * hit the same way (PostgresThrottlerStorage). `n` hits at once; semantics as before: blocked →
 * refuse without counting; window or block over → a new window; past `limit` → blocked for
 * `block` ms (0: until the window ends). Remaining times on clock_timestamp().
 */
export class RateLimitHitFunction1796033000000 implements MigrationInterface {
  name = 'RateLimitHitFunction1796033000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION fixbid_rate_limit_hit(p_key text, p_n int, p_ttl float8, p_limit int, p_block float8)
      RETURNS TABLE (hits int, expires_in int, blocked boolean, blocked_for int)
      LANGUAGE sql VOLATILE AS $fn$
        WITH p AS (
          SELECT now() + make_interval(secs => p_ttl / 1000) AS window_end,
                 CASE WHEN p_block > 0 THEN now() + make_interval(secs => p_block / 1000) END AS block_end
        )
        INSERT INTO rate_limit_hits AS r (key, hits, expires_at, blocked_until)
        SELECT p_key, p_n, p.window_end, CASE WHEN p_n > p_limit THEN coalesce(p.block_end, p.window_end) END FROM p
        ON CONFLICT (key) DO UPDATE SET
          hits = CASE
            WHEN r.blocked_until > now() THEN r.hits
            WHEN r.expires_at <= now() OR r.blocked_until <= now() THEN p_n
            ELSE r.hits + p_n END,
          expires_at = CASE
            WHEN r.blocked_until > now() THEN r.expires_at
            WHEN r.expires_at <= now() OR r.blocked_until <= now() THEN (SELECT window_end FROM p)
            ELSE r.expires_at END,
          blocked_until = CASE
            WHEN r.blocked_until > now() THEN r.blocked_until
            WHEN r.expires_at <= now() OR r.blocked_until <= now() THEN
              CASE WHEN p_n > p_limit THEN (SELECT coalesce(block_end, window_end) FROM p) END
            WHEN r.hits + p_n > p_limit THEN (SELECT coalesce(block_end, r.expires_at) FROM p)
            ELSE NULL END
        RETURNING r.hits,
          greatest(ceil(extract(epoch FROM r.expires_at - clock_timestamp())), 0)::int,
          coalesce(r.blocked_until > now(), false),
          greatest(ceil(extract(epoch FROM r.blocked_until - clock_timestamp())), 0)::int
      $fn$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION fixbid_rate_limit_hit(text, int, float8, int, float8)`);
  }
}
