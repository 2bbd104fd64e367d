/**
 * The SQL of a solution as the knowledge base shows it, one row per request, shared by every
 * read (get, list, similar) and by the `solution.published` event. Columns: the request's public
 * fields and the expert's public summary — never the private resolution note, the customer's
 * description, or anyone's email — plus who may see it.
 */
export const SOLUTION_COLUMNS = `
  r.id, r.title, r.category, r.language, r.solution_summary, r.closed_at, r.published_at, r.status, r.customer_id,
  b.expert_id, e.display_name AS expert_display_name, e.suspended_at AS expert_suspended_at,
  rv.rating,
  (SELECT count(*) FROM solution_votes v WHERE v.request_id = r.id)::int AS helpful_count`;

/** Joins for SOLUTION_COLUMNS on `help_requests r`: the awarded expert, and the latest review's rating. */
export const SOLUTION_JOINS = `
  JOIN bids b ON b.id = r.accepted_bid_id
  JOIN users e ON e.id = b.expert_id
  LEFT JOIN LATERAL (SELECT x.rating FROM reviews x WHERE x.request_id = r.id ORDER BY x.created_at DESC LIMIT 1) rv ON true`;

/** What anyone may read: published, still completed, and the expert not suspended (hidden while they are). */
export const PUBLICLY_VISIBLE = `r.published_at IS NOT NULL AND r.status = 'completed' AND e.suspended_at IS NULL`;

export interface SolutionRow {
  id: string;
  title: string;
  category: string;
  language: string;
  solution_summary: string | null;
  closed_at: Date | null;
  published_at: Date | null;
  status: string;
  customer_id: string;
  expert_id: string;
  expert_display_name: string;
  expert_suspended_at: Date | null;
  rating: number | null;
  helpful_count: number;
}
