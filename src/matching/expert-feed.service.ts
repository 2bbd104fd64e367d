import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page, toPage } from '../common/pagination/keyset';
import { prepared, queryPrepared } from '../database/prepared';
import type { RequestFields } from '../requests/dto/request.response';
import { requestColumns } from '../requests/request-row';

/** One feed row: its request's columns, the pairing's score and reasons, and the score as PostgreSQL prints it (the cursor's key). */
export interface FeedRow extends RequestFields {
  matchScore: number;
  matchReasons: string[];
  cursorSort: string;
}

const SCOPE = 'experts:me:feed';

/**
 * The pairings the feed may show (feed_until set: open and not bid on, kept true by triggers, see
 * src/requests/feed-index.ts), walked backwards along the partial index IDX_request_matches_feed
 * (expert_id, score, request_id) for limit + 1 entries, then each request by primary key. The walk
 * is a subquery with its own LIMIT so the planner cannot join first and sort later. Two
 * statements, not one with an optional cursor: a generic plan cannot use an "OR $3 IS NULL" bound
 * as an index condition.
 */
const select = (after: string) => `
  SELECT m.score AS "matchScore", m.reasons AS "matchReasons", m.score::text AS "cursorSort", ${requestColumns('r')}
    FROM (SELECT request_id, score, reasons FROM request_matches
           WHERE expert_id = $1 AND feed_until IS NOT NULL AND feed_until > now() ${after}
           ORDER BY score DESC, request_id DESC
           LIMIT $2) m
    JOIN help_requests r ON r.id = m.request_id
   ORDER BY m.score DESC, m.request_id DESC`;

export const FEED_FIRST = prepared('expert_feed_first_v1', select(''));
const FEED_AFTER = prepared('expert_feed_after_v1', select('AND (score, request_id) < ($3::real, $4::uuid)'));

/**
 * GET /v1/experts/me/feed: the caller's pairings with requests still taking bids, best first,
 * minus requests they already bid on (any bid status). One named statement per call
 * (src/database/prepared.ts); test/matching/explain.e2e-spec.ts shows its plan at 100k requests.
 */
@Injectable()
export class ExpertFeedService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  async feed(expertId: string, page: { limit: number; cursor?: string }): Promise<Page<FeedRow>> {
    const after = page.cursor === undefined ? undefined : this.cursors.decode(page.cursor, SCOPE);
    const rows = after
      ? await queryPrepared<FeedRow>(this.ds, FEED_AFTER, [expertId, page.limit + 1, after.sort, after.id])
      : await queryPrepared<FeedRow>(this.ds, FEED_FIRST, [expertId, page.limit + 1]);
    return toPage(
      rows,
      page.limit,
      (row) => row,
      (row) => this.cursors.encode({ sort: row.cursorSort, id: row.id }, SCOPE),
    );
  }
}
