import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { mapPage, paginate } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { ExpertProfile } from '../experts/expert-profile.entity';
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

const SQL_SORTS: Record<Exclude<BidSort, 'recommended'>, { sort: string; direction: 'ASC' | 'DESC' }> = {
  amount: { sort: 'b.amount', direction: 'ASC' },
  eta: { sort: 'b.etaMinutes', direction: 'ASC' },
  // Experts without a profile rank as reputation 0, like the zeros they show.
  reputation: { sort: 'COALESCE(p.reputationScore, 0)', direction: 'DESC' },
};

/**
 * The bid lists. `GET /v1/requests/:id/bids`: the owner (and admins) see every bid, an expert
 * only their own, anyone else 404 (API1). amount, eta and reputation page in SQL with keyset
 * cursors; recommended is scored in TypeScript over the request's bids (bounded by the number of
 * experts who bid on one request: hundreds at most) and paged by the same (score, id) keyset.
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

    if (query.sort === 'recommended') {
      const bids = await qb.getMany();
      const bidders = await this.biddersOf(bids);
      const ranked = bids.map((bid) => ({ bid, score: recommendedScoreOf(bid, request, bidders.get(bid.expertId)!) }));
      const after = query.cursor ? this.codec.decode(query.cursor, scope) : null;
      const page = pageRecommended(ranked, query.limit, after && { score: Number(after.sort), id: after.id }, (r) =>
        this.codec.encode({ sort: r.score, id: r.bid.id }, scope),
      );
      return mapPage(page, (r: Ranked<Bid>) => ({ ...r, bidder: bidders.get(r.bid.expertId)! }));
    }

    const order = SQL_SORTS[query.sort];
    if (query.sort === 'reputation') qb.leftJoin(ExpertProfile, 'p', 'p.userId = b.expertId');
    const page = await paginate(qb, this.codec, { ...order, id: 'b.id', limit: query.limit, cursor: query.cursor, scope });
    const bidders = await this.biddersOf(page.data);
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

  /** Display name, rating and reputation of each distinct bidder, in one query. */
  private async biddersOf(bids: readonly Bid[]): Promise<Map<string, BidderProfile>> {
    const ids = [...new Set(bids.map((b) => b.expertId))];
    if (ids.length === 0) return new Map();
    const rows: Array<{
      id: string;
      display_name: string;
      rating_count: number | null;
      rating_sum: number | null;
      reputation_score: number | null;
      completed_jobs: number | null;
    }> = await this.ds.query(
      `SELECT u.id, u.display_name, p.rating_count, p.rating_sum, p.reputation_score, p.completed_jobs
         FROM users u LEFT JOIN expert_profiles p ON p.user_id = u.id
        WHERE u.id = ANY($1::uuid[])`,
      [ids],
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
              },
        ),
      ]),
    );
  }
}
