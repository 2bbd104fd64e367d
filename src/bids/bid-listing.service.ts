import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { mapPage, paginate } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { HelpRequest } from '../requests/help-request.entity';
import { Bid } from './bid.entity';
import { requestNotFound } from './bid-errors';
import { BidderProfile, bidderProfile, pageRecommended, Ranked, recommendedScoreOf } from './bid-ranking';
import { BidSort, ListRequestBidsQuery } from './dto/list-bids.query';

/** A bid of a request's list with what the owner sees of its expert and its recommended score. */
export interface RankedBid {
  bid: Bid;
  bidder: BidderProfile;
  score: number;
}

const SQL_SORTS: Record<Exclude<BidSort, RankedSort>, { sort: string; direction: 'ASC' | 'DESC' }> = {
  amount: { sort: 'b.amount', direction: 'ASC' },
  eta: { sort: 'b.etaMinutes', direction: 'ASC' },
};

/** Sorts scored in TypeScript over all of a request's bids: the recommended score, or the bidder's reputation in the category. */
type RankedSort = 'recommended' | 'reputation';
const RANKED_SORTS: Record<RankedSort, (r: { bid: Bid; bidder: BidderProfile; recommended: number }) => number> = {
  recommended: (r) => r.recommended,
  // Experts without a profile rank as reputation 0, like the zeros they show.
  reputation: (r) => r.bidder.skill.score,
};

/**
 * The bid lists. `GET /v1/requests/:id/bids`: the owner (and admins) see every bid, an expert
 * only their own, anyone else 404 (API1). amount and eta page in SQL with keyset cursors;
 * recommended and reputation (the bidder's score in the request's category) are scored in
 * TypeScript over the request's bids (bounded by the number of experts who bid on one request:
 * hundreds at most) and paged by the same (score, id) keyset.
 */
@Injectable()
export class BidListingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async listForRequest(requestId: string, caller: Principal, query: ListRequestBidsQuery): Promise<Page<RankedBid>> {
    const request = await this.ds.getRepository(HelpRequest).findOneBy({ id: requestId });
    if (!request) throw requestNotFound();
    const onlyExpert = await this.visibleBidsOf(request, caller);
    const qb = this.ds.getRepository(Bid).createQueryBuilder('b').where('b.requestId = :requestId', { requestId });
    if (onlyExpert) qb.andWhere('b.expertId = :expertId', { expertId: onlyExpert });
    if (query.status) qb.andWhere('b.status = :status', { status: query.status });
    const scope = `bids:${requestId}:${query.sort}:${query.status ?? 'all'}`;

    if (query.sort === 'recommended' || query.sort === 'reputation') {
      const sortKey = RANKED_SORTS[query.sort];
      const bids = await qb.getMany();
      const bidders = await this.biddersOf(bids, request.category);
      const scored = bids.map((bid) => {
        const bidder = bidders.get(bid.expertId)!;
        return { bid, bidder, recommended: recommendedScoreOf(bid, request, bidder) };
      });
      const byScored = new Map(scored.map((r) => [r.bid.id, r]));
      const after = query.cursor ? this.codec.decode(query.cursor, scope) : null;
      const page = pageRecommended(
        scored.map((r) => ({ bid: r.bid, score: sortKey(r) })),
        query.limit,
        after && { score: Number(after.sort), id: after.id },
        (r) => this.codec.encode({ sort: r.score, id: r.bid.id }, scope),
      );
      return mapPage(page, (r: Ranked<Bid>) => {
        const { bid, bidder, recommended } = byScored.get(r.bid.id)!;
        return { bid, bidder, score: recommended };
      });
    }

    const order = SQL_SORTS[query.sort];
    const page = await paginate(qb, this.codec, { ...order, id: 'b.id', limit: query.limit, cursor: query.cursor, scope });
    const bidders = await this.biddersOf(page.data, request.category);
    return mapPage(page, (bid) => {
      const bidder = bidders.get(bid.expertId)!;
      return { bid, bidder, score: recommendedScoreOf(bid, request, bidder) };
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

  /**
   * Who may list this request's bids: null means all of them (owner, admin); an id means only
   * that expert's. Experts see open requests and the ones they bid on; the rest is 404.
   */
  private async visibleBidsOf(request: HelpRequest, caller: Principal): Promise<string | null> {
    if (caller.role === 'admin') return null;
    if (caller.role === 'customer') {
      if (request.customerId !== caller.userId) throw requestNotFound();
      return null;
    }
    if (request.status === 'open') return caller.userId;
    const hasBid = await this.ds.getRepository(Bid).exists({ where: { requestId: request.id, expertId: caller.userId } });
    if (!hasBid) throw requestNotFound();
    return caller.userId;
  }

  /** Display name, rating and reputation (overall and in the request's category) of each distinct bidder, in one query. */
  private async biddersOf(bids: readonly Bid[], category: string): Promise<Map<string, BidderProfile>> {
    const ids = [...new Set(bids.map((b) => b.expertId))];
    if (ids.length === 0) return new Map();
    const rows: Array<{
      id: string;
      display_name: string;
      rating_count: number | null;
      rating_sum: number | null;
      reputation_score: number | null;
      completed_jobs: number | null;
      skill_score: number | null;
      skill_jobs: number | null;
    }> = await this.ds.query(
      `SELECT u.id, u.display_name, p.rating_count, p.rating_sum, p.reputation_score, p.completed_jobs,
              s.score AS skill_score, s.rep_jobs AS skill_jobs
         FROM users u
         LEFT JOIN expert_profiles p ON p.user_id = u.id
         LEFT JOIN expert_skill_reputation s ON s.expert_id = p.user_id AND s.skill = $2
        WHERE u.id = ANY($1::uuid[])`,
      [ids, category],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        bidderProfile(
          r.display_name,
          r.rating_count === null
            ? null
            : {
                ratingCount: r.rating_count,
                ratingSum: r.rating_sum ?? 0,
                reputationScore: r.reputation_score ?? 0,
                completedJobs: r.completed_jobs ?? 0,
                skill: r.skill_score === null ? null : { score: r.skill_score, jobs: r.skill_jobs ?? 0 },
              },
          category,
        ),
      ]),
    );
  }
}
