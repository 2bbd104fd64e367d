import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { paginate } from '../common/pagination/paginate';
import { RequestMatch } from './request-match.entity';

/**
 * GET /v1/experts/me/feed: the caller's pairings with requests still taking bids, best first,
 * minus requests they already bid on (any bid status).
 *
 * Plan (test/matching/explain.e2e-spec.ts checks it at 100k requests): a backward scan of
 * IDX_request_matches_expert_score (expert_id, score, request_id) — which also serves the keyset
 * cursor — then help_requests by primary key and an anti-join into bids by request_id; it stops
 * after limit + 1 rows that pass, so no table is read in full.
 */
@Injectable()
export class ExpertFeedService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  feed(expertId: string, page: { limit: number; cursor?: string }): Promise<Page<RequestMatch>> {
    const qb = this.ds
      .getRepository(RequestMatch)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.request', 'r')
      .where('m.expertId = :expertId', { expertId })
      .andWhere(`r.status = 'open'`)
      .andWhere('r.biddingClosesAt > now()')
      .andWhere(`NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = "m"."request_id" AND b.expert_id = "m"."expert_id")`);
    return paginate(qb, this.cursors, {
      sort: 'm.score',
      id: 'm.requestId',
      direction: 'DESC',
      limit: page.limit,
      cursor: page.cursor,
      scope: 'experts:me:feed',
    });
  }
}
