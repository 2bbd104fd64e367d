import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError, refusal } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { hydrate, updatedRows } from '../database/hydrate';
import { lockQuota, noteLock } from '../database/locks';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { Currency, Money } from '../payments/domain/money';
import { HelpRequest } from '../requests/help-request.entity';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { Bid } from './bid.entity';
import { bidNotFound, isUniqueViolation, requestNotFound } from './bid-errors';
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
 * An expert's own bids: place, edit, withdraw. Each is one transaction: the request row locked
 * through its lifecycle, the domain rules, then the bid, the request's counter, the expert's
 * activity and the event — written together in as few statements as the rules allow.
 *
 * `bidCount` counts the bids that are not withdrawn: +1 on place, −1 on withdraw. While the
 * request is open that is exactly its active bids — the offers a customer can still choose from.
 */
@Injectable()
export class BidsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly lifecycle: RequestLifecycle,
    private readonly events: EventsService,
  ) {}

  /** Four statements: lock the request (with the expert's bids on it), the quota lock, the write, the event. */
  async placeBid(requestId: string, expert: Principal, input: CreateBidDto, now = new Date()): Promise<Bid> {
    try {
      return await withTransaction(this.ds, async (em) => {
        const locked = await this.lifecycle.lockForBidder(em, requestId, expert.userId);
        if (!locked) throw requestNotFound();
        const { request } = locked;
        // API1: experts see open requests and the ones they bid on; anything else does not exist.
        if (request.status !== 'open' && !locked.hasBid) throw requestNotFound();
        if (request.customerId === expert.userId) {
          throw new DomainError('cannot_bid_own_request', 'You cannot bid on your own request.');
        }
        const open = checkCanBid(request, now);
        if (!open.ok) throw refusal(open);
        // C3, checked under the request lock; the partial unique index catches what slips past.
        if (locked.hasLiveBid) throw bidExists();
        const rule = checkBidAmount(input.amount, budgetOf(request));
        if (!rule.ok) throw refusal(rule);
        // API4: one expert's bids count one after another, so a burst cannot slip past the quota.
        await lockQuota(em, 'bid-quota', expert.userId);
        const { bid, customerId, lastSequence } = await this.insertWithinQuota(em, locked, expert.userId, input);
        await this.events.appendReserved(em, { requestId, customerId, lastSequence }, [
          { type: 'bid.created', object: BidResponse.from(bid), expertId: expert.userId },
        ]);
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
      const { request, bid } = await this.lockOwnBid(em, bidId, expert);
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
      const saved = await this.writeBid(em, bid, {
        ...(input.amount && { amount: input.amount.amount, currency: input.amount.currency }),
        ...(input.etaMinutes !== undefined && { eta_minutes: input.etaMinutes }),
        ...(input.message !== undefined && { message: input.message }),
      });
      await this.events.record(em, request.id, 'bid.updated', BidResponse.from(saved), { expertId: expert.userId });
      return saved;
    });
  }

  async withdrawBid(bidId: string, expert: Principal): Promise<Bid> {
    return withTransaction(this.ds, async (em) => {
      const { request, bid } = await this.lockOwnBid(em, bidId, expert);
      const move = applyBidEvent(bid.status, 'withdraw', { requestStatus: request.status });
      if (!move.ok) throw refusal(move);
      const saved = await this.writeBid(em, bid, { status: move.next }, -1);
      await this.events.record(em, request.id, 'bid.withdrawn', BidResponse.from(saved), { expertId: expert.userId });
      return saved;
    });
  }

  private async lockOwnBid(em: EntityManager, bidId: string, expert: Principal): Promise<LockedRequest & { bid: Bid }> {
    const locked = await this.lifecycle.lockWithBid(em, bidId, { expertId: expert.userId });
    if (!locked) throw bidNotFound();
    return locked;
  }

  /**
   * The new bid, the request's bid count and event number, and the expert's last activity in one
   * statement — unless the expert's quota is spent (API4: `bidQuotaPerHour` per rolling hour,
   * withdrawn bids included, else bid-and-withdraw would be free spam). The quota's count runs
   * after the quota lock (a statement of its own), so it sees every bid committed before it.
   */
  private async insertWithinQuota(em: EntityManager, locked: LockedRequest, expertId: string, input: CreateBidDto) {
    const limit = this.config.bidQuotaPerHour;
    noteLock(em, 'expert_profiles');
    const [row] = (await em.query(
      `WITH quota AS (
         SELECT extract(epoch FROM created_at + interval '1 hour' - clock_timestamp()) AS wait_seconds
           FROM bids
          WHERE expert_id = $2 AND created_at > clock_timestamp() - interval '1 hour'
          ORDER BY created_at DESC
          LIMIT 1 OFFSET $7
       ), placed AS (
         INSERT INTO bids (request_id, expert_id, amount, currency, eta_minutes, message, warranty_days, status)
         SELECT $1, $2, $3, $4, $5, $6, $8, 'active' WHERE NOT EXISTS (SELECT 1 FROM quota)
         RETURNING *
       ), counted AS (
         UPDATE help_requests SET bid_count = bid_count + 1, event_sequence = event_sequence + 1, updated_at = now()
          WHERE id = $1 AND EXISTS (SELECT 1 FROM placed)
         RETURNING event_sequence, customer_id
       ), touched AS (
         UPDATE expert_profiles SET last_active_at = now() WHERE user_id = $2 AND EXISTS (SELECT 1 FROM placed)
       )
       SELECT placed.*, (SELECT wait_seconds FROM quota) AS wait_seconds, counted.event_sequence AS last_sequence, counted.customer_id AS request_customer_id
         FROM (SELECT 1) AS one LEFT JOIN placed ON true LEFT JOIN counted ON true`,
      [locked.request.id, expertId, input.amount.amount, input.amount.currency, input.etaMinutes, input.message, limit - 1, input.warrantyDays ?? 0],
    )) as Array<Record<string, unknown>>;
    if (row.id === null) {
      const retryAfter = Math.max(1, Math.ceil(Number(row.wait_seconds)));
      throw new DomainError('quota_exceeded', `At most ${limit} bids per hour; try again in ${retryAfter} s.`, undefined, {
        'Retry-After': String(retryAfter),
      });
    }
    return { bid: hydrate(em, Bid, row), customerId: row.request_customer_id as string, lastSequence: row.last_sequence as number };
  }

  /** Writes a bid's columns (and `bidCountDelta` on its request) with the expert's last activity; the bid after. */
  private async writeBid(em: EntityManager, bid: Bid, columns: Record<string, unknown>, bidCountDelta = 0): Promise<Bid> {
    const keys = Object.keys(columns);
    noteLock(em, 'expert_profiles');
    const [row] = updatedRows(
      await em.query(
        `WITH saved AS (
           UPDATE bids SET ${[...keys.map((k, i) => `${k} = $${i + 4}`), 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *
         ), counted AS (
           UPDATE help_requests SET bid_count = GREATEST(bid_count + $3, 0) WHERE id = (SELECT request_id FROM saved) AND $3 <> 0
         ), touched AS (
           UPDATE expert_profiles SET last_active_at = now() WHERE user_id = $2
         )
         SELECT * FROM saved`,
        [bid.id, bid.expertId, bidCountDelta, ...keys.map((k) => columns[k])],
      ),
    );
    return hydrate(em, Bid, row);
  }
}
