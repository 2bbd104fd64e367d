import { MatchingService } from '../../src/matching/matching.service';
import { withTransaction } from '../../src/database/transaction';
import { TestApp } from '../support/test-app';

/**
 * SQL-level fixtures for matching specs: requests in any state and many experts at once, without
 * going through routes that other features own or hashing a password per expert.
 */
export interface RequestFixture {
  category?: string;
  language?: string;
  status?: string;
  /** Seconds from now; negative = bidding already closed. */
  closesInSeconds?: number;
  title?: string;
}

export async function insertRequest(t: TestApp, customerId: string, f: RequestFixture = {}): Promise<string> {
  const [row] = await t.ds.query(
    `INSERT INTO help_requests (customer_id, title, description, category, language, status, bidding_closes_at)
     VALUES ($1, $2, 'A long enough description of the problem.', $3, $4, $5, now() + make_interval(secs => $6))
     RETURNING id`,
    [customerId, f.title ?? 'Something is broken', f.category ?? 'windows', f.language ?? 'en', f.status ?? 'open', f.closesInSeconds ?? 72 * 3600],
  );
  return row.id;
}

/** What POST /v1/requests does after inserting the row: MatchingService.matchRequest in a transaction. */
export async function matchRequest(t: TestApp, requestId: string): Promise<number> {
  const matching = t.app.get(MatchingService);
  return withTransaction(t.ds, async (em) => {
    const [r] = await em.query(`SELECT id, category, language FROM help_requests WHERE id = $1`, [requestId]);
    return matching.matchRequest(em, r);
  });
}

export async function postMatchedRequest(t: TestApp, customerId: string, f: RequestFixture = {}): Promise<string> {
  const id = await insertRequest(t, customerId, f);
  await matchRequest(t, id);
  return id;
}

export interface ExpertFixture {
  skills?: string[];
  languages?: string[];
  available?: boolean;
  reputation?: number;
  activeJobs?: number;
}

/** `count` experts with profiles, made in two statements (no password: they never log in). */
export async function insertExperts(t: TestApp, count: number, f: ExpertFixture = {}): Promise<string[]> {
  const rows: Array<{ id: string }> = await t.ds.query(
    `INSERT INTO users (email, display_name, role)
     SELECT 'fx-' || gen_random_uuid() || '@example.com', 'Fixture ' || i, 'expert' FROM generate_series(1, $1) i
     RETURNING id`,
    [count],
  );
  const ids = rows.map((r) => r.id);
  await t.ds.query(
    `INSERT INTO expert_profiles (user_id, headline, skills, languages, available, reputation_score, active_jobs)
     SELECT id, 'Fixture expert', $2::text[], $3::text[], $4, $5, $6 FROM unnest($1::uuid[]) AS id`,
    [ids, f.skills ?? ['windows'], f.languages ?? ['en'], f.available ?? true, f.reputation ?? 0, f.activeJobs ?? 0],
  );
  // Every listed skill has its reputation row, as a profile save makes it; here as good as the overall score.
  await t.ds.query(
    `INSERT INTO expert_skill_reputation (expert_id, skill, score) SELECT id, skill, $3 FROM unnest($1::uuid[]) AS id, unnest($2::text[]) AS skill`,
    [ids, f.skills ?? ['windows'], f.reputation ?? 0],
  );
  return ids;
}

export async function insertBid(t: TestApp, requestId: string, expertId: string, status = 'active'): Promise<void> {
  await t.ds.query(
    `INSERT INTO bids (request_id, expert_id, amount, currency, eta_minutes, message, status)
     VALUES ($1, $2, 3000, 'usd', 60, 'I can fix this today.', $3)`,
    [requestId, expertId, status],
  );
}
