import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page, SortDirection } from '../common/pagination/keyset';
import { mapPage, paginate } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { prepared, queryPrepared } from '../database/prepared';
import { Bid } from './bid.entity';
import { requestNotFound } from './bid-errors';
import { BidderProfile, bidderProfile, pageRanked, Ranked, recommendedScoreOf } from './bid-ranking';
import { BidStatus } from './domain/bid-state';
import { BidSort, ListRequestBidsQuery } from './dto/list-bids.query';

/** A bid as a response is built from: the entity, or a hot read's row. */
export type BidSource = Pick<Bid, 'id' | 'requestId' | 'expertId' | 'amount' | 'currency' | 'etaMinutes' | 'message' | 'warrantyDays' | 'status' | 'createdAt' | 'updatedAt'>;

/** A bid of a request's list with what the owner sees of its expert and its recommended score. */
export interface RankedBid {
  bid: BidSource;
  bidder: BidderProfile;
  score: number;
}

/** The sort keys of the list: amount and eta lowest first, recommended and reputation highest first. */
const SORTS: Record<BidSort, { key: (r: { bid: BidSource; bidder: BidderProfile; recommended: number }) => number; direction: SortDirection }> = {
  amount: { key: (r) => r.bid.amount, direction: 'ASC' },
  eta: { key: (r) => r.bid.etaMinutes, direction: 'ASC' },
  recommended: { key: (r) => r.recommended, direction: 'DESC' },
  // Experts without a profile rank as reputation 0, like the zeros they show.
  reputation: { key: (r) => r.bidder.skill.score, direction: 'DESC' },
};

/** One row per visible bid (or one with a null bid when there is none): the request, whether the caller bid, the bid and its bidder. */
interface BidListRow {
  customerId: string;
  requestStatus: string;
  category: string;
  urgency: 'low' | 'normal' | 'urgent';
  maxBudgetAmount: number | null;
  maxBudgetCurrency: string | null;
  callerHasBid: boolean;
  id: string | null;
  expertId: string;
  amount: number;
  currency: string;
  etaMinutes: number;
  message: string;
  warrantyDays: number;
  status: BidStatus;
  createdAt: Date;
  updatedAt: Date;
  displayName: string;
  ratingCount: number | null;
  ratingSum: number | null;
  reputationScore: number | null;
  completedJobs: number | null;
  skillScore: number | null;
  skillJobs: number | null;
}

/**
 * The request, the caller's own bid (for an expert's visibility) and the bids they may see with
 * each bidder's profile and reputation in the request's category, in one statement: $3 narrows
 * to one expert's bids, $4 to one status. A request has at most a few hundred bids (one per
 * expert), all read by IDX on bids(request_id); they are sorted and paged here.
 */
const REQUEST_BIDS = prepared(
  'request_bids_v1',
  `SELECT r.customer_id AS "customerId", r.status AS "requestStatus", r.category, r.urgency,
          r.max_budget_amount AS "maxBudgetAmount", r.max_budget_currency AS "maxBudgetCurrency",
          EXISTS (SELECT 1 FROM bids mine WHERE mine.request_id = r.id AND mine.expert_id = $2) AS "callerHasBid",
          b.id, b.request_id AS "requestId", b.expert_id AS "expertId", b.amount, b.currency, b.eta_minutes AS "etaMinutes",
          b.message, b.warranty_days AS "warrantyDays", b.status, b.created_at AS "createdAt", b.updated_at AS "updatedAt",
          u.display_name AS "displayName", p.rating_count AS "ratingCount", p.rating_sum AS "ratingSum",
          p.reputation_score AS "reputationScore", p.completed_jobs AS "completedJobs",
          s.score AS "skillScore", s.rep_jobs AS "skillJobs"
     FROM help_requests r
     LEFT JOIN bids b ON b.request_id = r.id AND ($3::uuid IS NULL OR b.expert_id = $3) AND ($4::text IS NULL OR b.status = $4)
     LEFT JOIN users u ON u.id = b.expert_id
     LEFT JOIN expert_profiles p ON p.user_id = b.expert_id
     LEFT JOIN expert_skill_reputation s ON s.expert_id = p.user_id AND s.skill = r.category
    WHERE r.id = $1`,
);

/**
 * The bid lists. `GET /v1/requests/:id/bids`: the owner (and admins) see every bid, an expert
 * only their own, anyone else 404 (API1) — one named statement (src/database/prepared.ts), then
 * sorted and paged by the same (key, id) keyset cursors as before: amount and eta lowest first,
 * recommended and reputation (the bidder's score in the request's category) highest first.
 */
@Injectable()
export class BidListingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async listForRequest(requestId: string, caller: Principal, query: ListRequestBidsQuery): Promise<Page<RankedBid>> {
    const onlyExpert = caller.role === 'expert' ? caller.userId : null;
    const rows = await queryPrepared<BidListRow>(this.ds, REQUEST_BIDS, [requestId, caller.userId, onlyExpert, query.status ?? null]);
    const request = rows[0];
    if (!request || !this.mayList(request, caller)) throw requestNotFound();

    const scope = `bids:${requestId}:${query.sort}:${query.status ?? 'all'}`;
    const { key, direction } = SORTS[query.sort];
    const scored = rows
      .filter((row): row is BidListRow & { id: string } => row.id !== null)
      .map((row) => {
        const bid: BidSource = { ...row, requestId };
        const bidder = this.bidderOf(row, request.category);
        return { bid, bidder, recommended: recommendedScoreOf(bid, request, bidder) };
      });
    const byId = new Map(scored.map((r) => [r.bid.id, r]));
    const after = query.cursor ? this.codec.decode(query.cursor, scope) : null;
    const page = pageRanked(
      scored.map((r) => ({ bid: r.bid, score: key(r) })),
      query.limit,
      after && { score: Number(after.sort), id: after.id },
      (r) => this.codec.encode({ sort: r.score, id: r.bid.id }, scope),
      direction,
    );
    return mapPage(page, (r: Ranked<BidSource>) => {
      const { bid, bidder, recommended } = byId.get(r.bid.id)!;
      return { bid, bidder, score: recommended };
    });
  }

  /** `GET /v1/experts/me/bids`: the caller's bids, newest first. */
  async listMine(expert: Principal, query: PageQueryDto): Promise<Page<Bid>> {
    const qb = this.ds.getRepository(Bid).createQueryBuilder('b').where('b.expertId = :expertId', { expertId: expert.userId });
    return paginate(qb, this.codec, {
      sort: 'b.createdAt',
      id: 'b.id',
      direction: 'DESC',
      limit: query.limit,
      cursor: query.cursor,
      scope: 'bids:mine',
    });
  }

  /** Who may list a request's bids: the owner and admins; an expert while it is open or once they bid on it. */
  private mayList(request: BidListRow, caller: Principal): boolean {
    if (caller.role === 'admin') return true;
    if (caller.role === 'customer') return request.customerId === caller.userId;
    return request.requestStatus === 'open' || request.callerHasBid;
  }

  /** Display name, rating and reputation (overall and in the request's category) of a bid's expert. */
  private bidderOf(row: BidListRow, category: string): BidderProfile {
    return bidderProfile(
      row.displayName,
      row.ratingCount === null
        ? null
        : {
            ratingCount: row.ratingCount,
            ratingSum: row.ratingSum ?? 0,
            reputationScore: row.reputationScore ?? 0,
            completedJobs: row.completedJobs ?? 0,
            skill: row.skillScore === null ? null : { score: row.skillScore, jobs: row.skillJobs ?? 0 },
          },
      category,
    );
  }
}
