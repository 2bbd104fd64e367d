import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { lockQuota } from '../database/locks';
import { quotaRetryAfterSeconds, REQUESTS_PER_HOUR } from './request-rules';

/**
 * API4: at most REQUESTS_PER_HOUR requests per customer per rolling hour. Call inside the
 * creating transaction: a transaction-scoped advisory lock per customer makes concurrent posts
 * count one after another, so a burst cannot slip past the limit. The COUNT is served by
 * IDX_help_requests_customer (customer_id, created_at, id).
 */
export async function enforceRequestQuota(em: EntityManager, customerId: string): Promise<void> {
  await lockQuota(em, 'request-quota', customerId);
  // clock_timestamp(): this transaction may have waited on the lock; now() is its start time.
  const [row] = (await em.query(
    `SELECT count(*)::int AS "count", min(created_at) AS "oldest", clock_timestamp() AS "now"
       FROM help_requests
      WHERE customer_id = $1 AND created_at > clock_timestamp() - interval '1 hour'`,
    [customerId],
  )) as Array<{ count: number; oldest: Date | null; now: Date }>;
  if (row.count < REQUESTS_PER_HOUR || !row.oldest) return;
  const retryAfter = quotaRetryAfterSeconds(row.oldest, row.now);
  throw new DomainError(
    'quota_exceeded',
    `At most ${REQUESTS_PER_HOUR} requests per hour; try again in ${retryAfter} s.`,
    undefined,
    { 'Retry-After': String(retryAfter) },
  );
}
