import { randomUUID } from 'node:crypto';
import { Deal, DealOptions, resolvedDeal, review } from './deals';
import { TestUser } from './factories';
import { TestApp } from './test-app';

/**
 * Knowledge-base helpers: a published solution made through the real routes (money and all), and
 * many solutions seeded straight into the database for the relevance set, published through the
 * real route so the search sees them exactly as it sees any other.
 */

export const SUMMARY = 'Reset the print spooler, removed the stale port and reinstalled the driver from the maker.';
export const PRIVATE_NOTE = 'PRIVATE-NOTE: the admin password I set is Hunter2-Blue; your home address is 12 Elm Street.';

/** Resolved with a public summary (and a private note), reviewed "fixed" with publishSolution: the solution is public. */
export async function publishedDeal(t: TestApp, options: DealOptions & { rating?: number } = {}): Promise<Deal> {
  const deal = await resolvedDeal(t, { solutionSummary: SUMMARY, resolutionNote: PRIVATE_NOTE, ...options });
  const res = await review(t, deal, { rating: options.rating ?? 5, resolved: true, publishSolution: true });
  if (res.status !== 200) throw new Error(`publishedDeal review: ${res.status} ${JSON.stringify(res.body)}`);
  return deal;
}

export interface SeededSolution {
  category: string;
  title: string;
  solution: string;
  language?: string;
}

/**
 * A completed request with an accepted bid and the expert's summary, written in SQL (no money
 * moves: the knowledge base reads none of it), then published by its customer through the route.
 * Returns the request id.
 */
export async function seedPublishedSolution(t: TestApp, customer: TestUser, expert: TestUser, s: SeededSolution, completedSecondsAgo = 0): Promise<string> {
  const requestId = randomUUID();
  const bidId = randomUUID();
  await t.ds.query(
    `WITH r AS (
       INSERT INTO help_requests (id, customer_id, title, description, category, language, status, accepted_bid_id, bidding_closes_at,
                                  accepted_at, funded_at, resolved_at, closed_at, resolution_note, solution_summary)
       VALUES ($1, $3, $5, 'Seeded for the knowledge-base tests: the customer described the problem here.', $6, $7, 'completed', $2,
               now(), now(), now(), now(), now() - make_interval(secs => $9), 'A private note.', $8)
       RETURNING id
     )
     INSERT INTO bids (id, request_id, expert_id, amount, currency, eta_minutes, message, status)
     SELECT $2, r.id, $4, 3000, 'usd', 60, 'I can fix this today.', 'accepted' FROM r`,
    [requestId, bidId, customer.id, expert.id, s.title, s.category, s.language ?? 'en', s.solution, completedSecondsAgo],
  );
  const res = await t.http.post(`/v1/solutions/${requestId}/publish`).set('authorization', customer.auth);
  if (res.status !== 200) throw new Error(`publish seeded solution: ${res.status} ${JSON.stringify(res.body)}`);
  return requestId;
}
