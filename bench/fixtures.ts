import { Client } from 'pg';

export interface Fixtures {
  /** Expert user ids in a fixed shuffled order; tokens are minted in this order. */
  experts: string[];
  /** [requestId, index into experts, currency] — each an (expert, request) pair with no live bid yet. */
  pairs: Array<[string, number, string]>;
  /** [bidId, customerId, requestId] — an active bid on an open request, one per request, for the mix's accepts. */
  accepts: Array<[string, string, string]>;
}

/**
 * More pairs than the bid row, the mix and the cost runs use together. The list lives in the
 * server's process (the bench runs it in-process): 650k pairs at scale 10 would be ~100 MB of
 * its heap, counted as the server's.
 */
const MAX_PAIRS = 105_000;

/** The mix accepts 5 % of its requests: a few hundred per run on this machine. */
const MAX_ACCEPTS = 5_000;

/**
 * What the load needs from the seeded data. Bid pairs: every open request whose bidding stays
 * open through the run, once each, with a hashed expert that has no live bid on it, so bid
 * creation never meets 409 bid_exists; the experts spread evenly, far under the hourly quota.
 */
export async function loadFixtures(url: string): Promise<Fixtures> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const experts = await db.query<{ user_id: string }>(`SELECT user_id FROM expert_profiles ORDER BY md5(user_id::text)`);
    const pairs = await db.query<{ id: string; idx: number; currency: string }>(`
      WITH e AS (SELECT user_id, (row_number() OVER (ORDER BY md5(user_id::text)) - 1)::int AS idx FROM expert_profiles),
           ne AS (SELECT count(*)::int AS c FROM expert_profiles),
           r AS (SELECT id, coalesce(max_budget_currency, 'usd') AS currency, md5(id::text) AS h
                 FROM help_requests WHERE status = 'open' AND bidding_closes_at > now() + interval '1 hour')
      SELECT r.id, e.idx, r.currency
      FROM r CROSS JOIN ne JOIN e ON e.idx = abs(hashtext(r.h)) % ne.c
      WHERE NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = r.id AND b.expert_id = e.user_id AND b.status IN ('active', 'accepted'))
      ORDER BY r.h`);
    const accepts = await db.query<{ bid: string; customer: string; request: string }>(`
      SELECT DISTINCT ON (r.id) b.id AS bid, r.customer_id AS customer, r.id AS request
      FROM help_requests r JOIN bids b ON b.request_id = r.id AND b.status = 'active'
      WHERE r.status = 'open' AND r.bidding_closes_at > now() + interval '1 hour'
      ORDER BY r.id, b.id LIMIT $1`, [MAX_ACCEPTS]);
    return {
      experts: experts.rows.map((r) => r.user_id),
      // Sliced here, not by LIMIT in the query: a LIMIT turns its hash anti-join into a nested loop (minutes at 1M).
      pairs: pairs.rows.slice(0, MAX_PAIRS).map((r) => [r.id, r.idx, r.currency]),
      accepts: accepts.rows.map((r) => [r.bid, r.customer, r.request]),
    };
  } finally {
    await db.end();
  }
}
