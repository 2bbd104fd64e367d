import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EMPTY_TALLY, skillReputationScore } from '../experts/domain/reputation';
import { feedUntil } from '../requests/feed-index';
import { ExpertForMatching, RequestForMatching, scoreExpertForRequest } from './domain/match-score';

/** Pairings scoring below this are not stored (0.2 is less than skill or language plus availability). */
export const MATCH_SCORE_FLOOR = 0.2;
/** Most experts scored for one request, and most requests scored for one expert's skills. */
export const MAX_CANDIDATES = 500;
/**
 * While fewer skilled experts than this are available for a request, the most reputable available
 * experts who speak its language fill in, so a request in a thin category still reaches someone.
 */
export const MIN_SKILLED_CANDIDATES = 20;

export interface RequestToMatch extends RequestForMatching {
  readonly id: string;
}

interface CandidateExpertRow {
  user_id: string;
  skills: string[];
  languages: string[];
  available: boolean;
  reputation_score: number;
  last_active_at: Date | null;
  active_jobs: number;
}

/** A candidate for one request, with their skill row's score in its category (null without a row there). */
interface CandidateForRequestRow extends CandidateExpertRow {
  skill_score: number | null;
}

/** The expert re-matched on a profile save, with their score in every category they have a row in. */
interface ExpertToMatchRow extends CandidateExpertRow {
  skill_scores: Record<string, number>;
}

interface CandidateRequestRow {
  id: string;
  category: string;
  language: string;
}

interface MatchRow {
  requestId: string;
  expertId: string;
  score: number;
  reasons: string[];
}

const EXPERT_COLUMNS = `p.user_id, p.skills, p.languages, p.available, p.reputation_score, p.last_active_at, p.active_jobs`;

/**
 * The expert as matching weighs them for a request in `category`: their reputation there (their
 * skill row, or what an empty record there scores: the overall score capped at 50).
 */
function toExpert(row: CandidateExpertRow, skillScore: number | null | undefined): ExpertForMatching {
  return {
    skills: row.skills,
    languages: row.languages,
    available: row.available,
    reputation: skillScore ?? skillReputationScore(EMPTY_TALLY, row.reputation_score),
    lastActiveAt: row.last_active_at,
    activeJobs: row.active_jobs,
  };
}

/**
 * Writes request_matches: scored (request, expert) pairings that the expert feed and a request's
 * matches read through indexes. The reputation weighed is the expert's score in the request's
 * category (expert_skill_reputation). Scores are a snapshot taken when the request is posted or the
 * expert's profile changes; later changes to reputation, load or activity do not move them.
 * Both methods run inside the caller's transaction and stay bounded by MAX_CANDIDATES.
 */
@Injectable()
export class MatchingService {
  /** Call in the transaction that creates the request (its row must already be inserted). */
  async matchRequest(em: EntityManager, request: RequestToMatch, now = new Date()): Promise<number> {
    // GIN on skills finds the skilled; those who speak the language come first, then their
    // reputation in this category (each one's skill row, by primary key).
    const skilled: CandidateForRequestRow[] = await em.query(
      `SELECT ${EXPERT_COLUMNS}, s.score AS skill_score FROM expert_profiles p
       LEFT JOIN expert_skill_reputation s ON s.expert_id = p.user_id AND s.skill = $1
       WHERE p.available AND p.skills @> ARRAY[$1]::text[]
       ORDER BY (p.languages @> ARRAY[$2]::text[]) DESC, s.score DESC NULLS LAST, p.user_id DESC
       LIMIT $3`,
      [request.category, request.language, MAX_CANDIDATES],
    );
    let candidates = skilled;
    if (skilled.length < MIN_SKILLED_CANDIDATES) {
      // Walks IDX_expert_profiles_reputation (the overall score) from the top; stops after the few it needs.
      const generalists: CandidateForRequestRow[] = await em.query(
        `SELECT ${EXPERT_COLUMNS}, s.score AS skill_score FROM expert_profiles p
         LEFT JOIN expert_skill_reputation s ON s.expert_id = p.user_id AND s.skill = $1
         WHERE p.available AND p.languages @> ARRAY[$2]::text[] AND NOT (p.skills @> ARRAY[$1]::text[])
         ORDER BY p.reputation_score DESC, p.user_id DESC
         LIMIT $3`,
        [request.category, request.language, MIN_SKILLED_CANDIDATES - skilled.length],
      );
      candidates = skilled.concat(generalists);
    }
    const rows = candidates
      .map((c) => ({ requestId: request.id, expertId: c.user_id, ...scoreExpertForRequest(toExpert(c, c.skill_score), request, now) }))
      .filter((m) => m.score >= MATCH_SCORE_FLOOR);
    await this.saveMatches(em, rows);
    return rows.length;
  }

  /**
   * Call in the transaction that changes an expert's profile: their pairings with open requests
   * are deleted and re-scored from the new profile — the newest open requests in their skills,
   * plus the open requests they were already paired with that they still qualify for (skilled,
   * or speaking the language). An unavailable expert keeps no pairings with open requests.
   */
  async matchExpert(em: EntityManager, expertId: string, now = new Date()): Promise<number> {
    const [expert]: ExpertToMatchRow[] = await em.query(
      `SELECT ${EXPERT_COLUMNS},
              COALESCE((SELECT json_object_agg(s.skill, s.score) FROM expert_skill_reputation s WHERE s.expert_id = p.user_id), '{}') AS skill_scores
         FROM expert_profiles p WHERE p.user_id = $1`,
      [expertId],
    );
    // Each of the expert's pairings looks its request up by primary key (LIMIT 1 keeps the lateral
    // join a nested loop); a plain join lets the planner hash-join a full scan of help_requests.
    // TypeORM answers a DELETE with [rows, rowCount].
    const [deleted]: [Array<CandidateRequestRow & { bidding: boolean }>, number] = await em.query(
      `WITH open_pairings AS (
         SELECT r.id, r.category, r.language, r.bidding
         FROM request_matches mine
         CROSS JOIN LATERAL (
           SELECT h.id, h.category, h.language, h.bidding_closes_at > now() AS bidding
           FROM help_requests h WHERE h.id = mine.request_id AND h.status = 'open' LIMIT 1
         ) r
         WHERE mine.expert_id = $1
       )
       DELETE FROM request_matches m USING open_pairings o
       WHERE m.expert_id = $1 AND m.request_id = o.id
       RETURNING o.id, o.category, o.language, o.bidding`,
      [expertId],
    );
    const previous = deleted.filter((r) => r.bidding);
    if (!expert?.available) return 0;

    // Per skill, the newest open requests (IDX_help_requests_status_category_created), then the newest overall.
    const inSkills: CandidateRequestRow[] = await em.query(
      `SELECT r.id, r.category, r.language FROM unnest($1::text[]) AS s(category)
       CROSS JOIN LATERAL (
         SELECT h.id, h.category, h.language, h.created_at FROM help_requests h
         WHERE h.status = 'open' AND h.category = s.category AND h.bidding_closes_at > now()
         ORDER BY h.created_at DESC, h.id DESC
         LIMIT $2
       ) r
       ORDER BY r.created_at DESC, r.id DESC
       LIMIT $2`,
      [expert.skills, MAX_CANDIDATES],
    );
    const stillQualified = previous.filter((r) => expert.skills.includes(r.category) || expert.languages.includes(r.language));
    const requests = new Map<string, CandidateRequestRow>();
    for (const r of [...inSkills, ...stillQualified]) requests.set(r.id, r);

    const rows = [...requests.values()]
      .map((r) => ({ requestId: r.id, expertId, ...scoreExpertForRequest(toExpert(expert, expert.skill_scores[r.category]), r, now) }))
      .filter((m) => m.score >= MATCH_SCORE_FLOOR);
    await this.saveMatches(em, rows);
    return rows.length;
  }

  /**
   * One INSERT for all rows. Sorted by key so two transactions writing overlapping pairings lock
   * rows in the same order; an overlap (a request posted while the expert re-matches) keeps the newer score.
   */
  private async saveMatches(em: EntityManager, rows: MatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) =>
      a.requestId === b.requestId ? (a.expertId < b.expertId ? -1 : 1) : a.requestId < b.requestId ? -1 : 1,
    );
    // feed_until: whether the expert feed may show the pairing (src/requests/feed-index.ts).
    await em.query(
      `INSERT INTO request_matches (request_id, expert_id, score, reasons, feed_until)
       SELECT x.request_id, x.expert_id, x.score, ARRAY(SELECT jsonb_array_elements_text(x.reasons)), ${feedUntil('x', 'r')}
       FROM jsonb_to_recordset($1::jsonb) AS x(request_id uuid, expert_id uuid, score real, reasons jsonb)
       JOIN help_requests r ON r.id = x.request_id
       ORDER BY x.request_id, x.expert_id
       ON CONFLICT (request_id, expert_id) DO UPDATE
         SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, feed_until = EXCLUDED.feed_until, created_at = now()`,
      [JSON.stringify(sorted.map((r) => ({ request_id: r.requestId, expert_id: r.expertId, score: r.score, reasons: r.reasons })))],
    );
  }
}
