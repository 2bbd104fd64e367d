import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { Currency, Money } from '../payments/domain/money';
import { HelpRequest } from '../requests/help-request.entity';
import { Bid } from './bid.entity';
import { isUniqueViolation, refusal, requestNotFound } from './bid-errors';
import { lockBid, lockRequest, touchExpert } from './bid-locks';
import { applyBidEvent, checkBidAmount, checkCanBid } from './domain/bid-state';
import { BidResponse } from './dto/bid.response';
import { CreateBidDto } from './dto/create-bid.dto';
import { UpdateBidDto } from './dto/update-bid.dto';

const LIVE_BID_INDEX = 'UQ_bids_live_per_expert';

const bidExists = () =>
  new DomainError('bid_exists', 'You already have an active bid on this request; edit or withdraw it instead.');

function budgetOf(request: HelpRequest): Money | null {
  const { maxBudgetAmount: amount, maxBudgetCurrency: currency } = request;
  return amount === null || currency === null ? null : { amount, currency: currency as Currency };
}

/**
 * An expert's own bids: place, edit, withdraw. Each is one transaction: lock the request row,
 * check visibility and the domain rules, write the bid, the request's counter and the event.
 *
 * `bidCount` counts the bids that are not withdrawn: +1 on place, −1 on withdraw. While the
 * request is open that is exactly its active bids — the offers a customer can still choose from.
 */
@Injectable()
export class BidsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
  ) {}

  async placeBid(requestId: string, expert: Principal, input: CreateBidDto, now = new Date()): Promise<Bid> {
    try {
      return await withTransaction(this.ds, async (em) => {
        const request = await lockRequest(em, requestId);
        if (!request) throw requestNotFound();
        const bids = em.getRepository(Bid);
        // API1: experts see open requests and the ones they bid on; anything else does not exist.
        if (request.status !== 'open' && !(await bids.exists({ where: { requestId, expertId: expert.userId } }))) {
          throw requestNotFound();
        }
        if (request.customerId === expert.userId) {
          throw new DomainError('cannot_bid_own_request', 'You cannot bid on your own request.');
        }
        const open = checkCanBid(request, now);
        if (!open.ok) throw refusal(open);
        // C3, checked under the request lock; the partial unique index catches what slips past.
        if (await bids.exists({ where: { requestId, expertId: expert.userId, status: In(['active', 'accepted']) } })) {
          throw bidExists();
        }
        const rule = checkBidAmount(input.amount, budgetOf(request));
        if (!rule.ok) throw refusal(rule);
        await this.checkQuota(em, expert.userId);

        const bid = await bids.save(
          bids.create({
            requestId,
            expertId: expert.userId,
            amount: input.amount.amount,
            currency: input.amount.currency,
            etaMinutes: input.etaMinutes,
            message: input.message,
            status: 'active',
          }),
        );
        await em.getRepository(HelpRequest).increment({ id: requestId }, 'bidCount', 1);
        await touchExpert(em, expert.userId);
        await this.events.record(em, requestId, 'bid.created', BidResponse.from(bid), { expertId: expert.userId });
        return bid;
      });
    } catch (err) {
      // C3/R6 backstop: should any write path ever skip the request lock, the index still refuses.
      if (isUniqueViolation(err, LIVE_BID_INDEX)) throw bidExists();
      throw err;
    }
  }

  async updateBid(bidId: string, expert: Principal, input: UpdateBidDto, now = new Date()): Promise<Bid> {
    return withTransaction(this.ds, async (em) => {
      const { request, bid } = await lockBid(em, bidId, { expertId: expert.userId });
      if (input.amount === undefined && input.etaMinutes === undefined && input.message === undefined) return bid;
      const move = applyBidEvent(bid.status, 'edit', { requestStatus: request.status });
      if (!move.ok) throw refusal(move);
      // An offer may only change while new offers may still be made.
      const open = checkCanBid(request, now);
      if (!open.ok) throw refusal(open);
      if (input.amount) {
        const rule = checkBidAmount(input.amount, budgetOf(request));
        if (!rule.ok) throw refusal(rule);
      }
      await em.getRepository(Bid).update(bid.id, {
        ...(input.amount && { amount: input.amount.amount, currency: input.amount.currency }),
        ...(input.etaMinutes !== undefined && { etaMinutes: input.etaMinutes }),
        ...(input.message !== undefined && { message: input.message }),
      });
      const saved = await em.getRepository(Bid).findOneByOrFail({ id: bid.id });
      await touchExpert(em, expert.userId);
      await this.events.record(em, request.id, 'bid.updated', BidResponse.from(saved), { expertId: expert.userId });
      return saved;
    });
  }

  async withdrawBid(bidId: string, expert: Principal): Promise<Bid> {
    return withTransaction(this.ds, async (em) => {
      const { request, bid } = await lockBid(em, bidId, { expertId: expert.userId });
      const move = applyBidEvent(bid.status, 'withdraw', { requestStatus: request.status });
      if (!move.ok) throw refusal(move);
      await em.getRepository(Bid).update(bid.id, { status: move.next });
      await em.query(`UPDATE help_requests SET bid_count = GREATEST(bid_count - 1, 0) WHERE id = $1`, [request.id]);
      const saved = await em.getRepository(Bid).findOneByOrFail({ id: bid.id });
      await touchExpert(em, expert.userId);
      await this.events.record(em, request.id, 'bid.withdrawn', BidResponse.from(saved), { expertId: expert.userId });
      return saved;
    });
  }

  /**
   * API4: at most `bidQuotaPerHour` bids per expert per rolling hour, withdrawn ones included
   * (else bid-and-withdraw would be free spam). A transaction-scoped advisory lock per expert
   * makes concurrent bids on different requests count one after another, so a burst cannot slip
   * past the limit (taken after the request row lock, the order every bid transaction follows).
   * The Nth newest bid of the hour says when a slot frees up; IDX_bids_expert_created serves it.
   */
  private async checkQuota(em: EntityManager, expertId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('bid-quota:' || $1, 0))`, [expertId]);
    const limit = this.config.bidQuotaPerHour;
    // clock_timestamp(): this transaction may have waited on the locks; now() is its start time.
    const rows: Array<{ wait_seconds: string }> = await em.query(
      `SELECT extract(epoch FROM created_at + interval '1 hour' - clock_timestamp()) AS wait_seconds
         FROM bids
        WHERE expert_id = $1 AND created_at > clock_timestamp() - interval '1 hour'
        ORDER BY created_at DESC
        LIMIT 1 OFFSET $2`,
      [expertId, limit - 1],
    );
    if (rows.length === 0) return;
    const retryAfter = Math.max(1, Math.ceil(Number(rows[0].wait_seconds)));
    throw new DomainError('quota_exceeded', `At most ${limit} bids per hour; try again in ${retryAfter} s.`, undefined, {
      'Retry-After': String(retryAfter),
    });
  }
}
