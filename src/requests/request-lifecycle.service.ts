import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { applyBidEvent, BidEventType, bidMovesFor, bidStatusesMovedBy, loadDelta } from '../bids/domain/bid-state';
import { BidResponse } from '../bids/dto/bid.response';
import { refusal } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { columnOf, hydrate, selectList, updatedRows } from '../database/hydrate';
import { lockRows, noteInserted, noteLock } from '../database/locks';
import { withTransaction } from '../database/transaction';
import { EventType } from '../events/event-types';
import { EventDraft, EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import {
  applyRequestEvent,
  AutomaticTransitionName,
  REQUEST_TIMERS,
  RequestEvent,
  RequestEventType,
  timersOf,
} from './domain/request-state';
import { RequestResponse } from './dto/request.response';
import { HelpRequest } from './help-request.entity';

/** The request row as a use case holds it: locked, with the expert whose bid was accepted. */
export interface LockedRequest {
  readonly request: HelpRequest;
  /** The accepted bid's expert; null before acceptance (and after a lapse or cancel). */
  readonly awardedExpertId: string | null;
}

/** What a move did: the request before and after, and the bids it moved. */
export interface Transition {
  readonly before: HelpRequest;
  readonly request: HelpRequest;
  readonly movedBids: readonly Bid[];
  readonly awardedExpertId: string | null;
}

export interface ApplyOptions {
  now?: Date;
  /** Columns the use case sets with the move that are not state (the expert's resolution note and public summary, the accepted bid's warranty, the reopen's reason). */
  data?: Partial<Pick<HelpRequest, 'resolutionNote' | 'solutionSummary' | 'warrantyDays' | 'reopenReason'>>;
  /** The use case's own events (escrow.funded, dispute.opened...), recorded before the request's. */
  events?: readonly EventDraft[];
  /** The bid an accept names, already locked by lockWithBid (saves a statement). */
  bid?: Bid;
}

/**
 * What a timer does beyond the lifecycle's own move, registered by the feature that owns it
 * (payments cancels the unfunded escrow on a lapse, reviews releases on auto-release, disputes
 * files the dispute at the hold limit). It runs in the timer's transaction, with the request
 * locked and the move known to be allowed, and must apply the timer's event itself.
 */
export type TimerHandler = (em: EntityManager, locked: LockedRequest, now: Date) => Promise<{ afterCommit?: () => Promise<void> } | void>;

/** The pg-boss queue of each timer (names kept from before the registry, so queued jobs still run). */
export const TIMER_JOBS: Record<AutomaticTransitionName, string> = {
  expire: 'request.expire',
  payment_window_lapse: 'request.payment-window-lapse',
  auto_release: 'request.auto-release',
  hold_limit_escalation: 'request.hold-limit-escalation',
  reopen_escalation: 'request.reopen-escalation',
  warranty_release: 'request.warranty-release',
};

/** Timers whose event moves money or files a dispute: the app refuses to start without their handler. */
const HANDLED_ELSEWHERE: readonly AutomaticTransitionName[] = ['payment_window_lapse', 'auto_release', 'hold_limit_escalation', 'reopen_escalation', 'warranty_release'];

/** The event recorded for each request move (the request as it is after it). */
const REQUEST_NOTICES: Partial<Record<RequestEventType, EventType>> = {
  cancel: 'request.cancelled',
  bidding_closed: 'request.expired',
  resolve: 'request.resolved',
  reopen: 'request.reopened',
};

const BID_NOTICES: Record<BidEventType, EventType> = {
  accept: 'bid.accepted',
  reject: 'bid.rejected',
  reinstate: 'bid.updated',
  withdraw: 'bid.withdrawn',
  edit: 'bid.updated',
};

/**
 * The only code that changes a help request's state. Inside the caller's transaction it locks the
 * row, applies the state table, writes every column the table's result names, moves the request's
 * bids through the bid table, records the events with their sequence numbers, and schedules the
 * timers of the state entered. Timers fire here too: re-checked under the lock, skipped when stale.
 */
@Injectable()
export class RequestLifecycle implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(RequestLifecycle.name);
  private readonly timerHandlers = new Map<AutomaticTransitionName, TimerHandler>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    for (const timer of REQUEST_TIMERS) {
      this.jobs.register<{ requestId: string }>(TIMER_JOBS[timer.name], async ({ requestId }) => void (await this.fireTimer(timer.name, requestId)));
    }
  }

  onApplicationBootstrap(): void {
    const missing = HANDLED_ELSEWHERE.filter((name) => !this.timerHandlers.has(name));
    if (missing.length) throw new Error(`timers without their handler: ${missing.join(', ')} (register them in onModuleInit)`);
  }

  /** Called by the feature that owns a timer's consequences, in its onModuleInit. */
  handleTimer(name: AutomaticTransitionName, handler: TimerHandler): void {
    if (this.timerHandlers.has(name)) throw new Error(`timer ${name} already has a handler`);
    this.timerHandlers.set(name, handler);
  }

  /** The request row locked — the first lock of every use case — or null when there is none. */
  async lock(em: EntityManager, requestId: string): Promise<LockedRequest | null> {
    return this.lockForBidder(em, requestId, null);
  }

  /**
   * The request locked, and in the same statement what a bidding expert needs to know of it:
   * whether they bid on it at all (visibility once it is no longer open) and have a live bid (C3).
   */
  async lockForBidder(em: EntityManager, requestId: string, expertId: string | null): Promise<(LockedRequest & { hasBid: boolean; hasLiveBid: boolean }) | null> {
    noteLock(em, 'help_requests', [requestId]);
    const bidder = expertId
      ? `, EXISTS (SELECT 1 FROM bids o WHERE o.request_id = r.id AND o.expert_id = $2) AS has_bid,
           EXISTS (SELECT 1 FROM bids o WHERE o.request_id = r.id AND o.expert_id = $2 AND o.status IN ('active', 'accepted')) AS has_live_bid`
      : '';
    const [row] = (await em.query(
      `SELECT r.*, a.expert_id AS awarded_expert_id ${bidder}
         FROM help_requests r LEFT JOIN bids a ON a.id = r.accepted_bid_id
        WHERE r.id = $1 FOR UPDATE OF r`,
      expertId ? [requestId, expertId] : [requestId],
    )) as Array<Record<string, unknown>>;
    if (!row) return null;
    return {
      request: hydrate(em, HelpRequest, row),
      awardedExpertId: (row.awarded_expert_id as string | null) ?? null,
      hasBid: row.has_bid === true,
      hasLiveBid: row.has_live_bid === true,
    };
  }

  /**
   * A bid and its request, both locked (request first) in one statement, but only when `actor`
   * may act on the bid: a stranger's bid is not found and nobody waits on a lock for it (A1).
   */
  async lockWithBid(em: EntityManager, bidId: string, actor: { expertId: string } | { customerId: string }): Promise<(LockedRequest & { bid: Bid }) | null> {
    noteLock(em, 'help_requests');
    const byExpert = 'expertId' in actor;
    const [row] = (await em.query(
      `SELECT ${selectList(em, HelpRequest, 'r', 'r_')}, ${selectList(em, Bid, 'b', 'b_')}, a.expert_id AS awarded_expert_id
         FROM bids b
         JOIN help_requests r ON r.id = b.request_id
         LEFT JOIN bids a ON a.id = r.accepted_bid_id
        WHERE b.id = $1 AND ${byExpert ? 'b.expert_id' : 'r.customer_id'} = $2
          FOR UPDATE OF r, b`,
      [bidId, byExpert ? actor.expertId : actor.customerId],
    )) as Array<Record<string, unknown>>;
    if (!row) return null;
    const request = hydrate(em, HelpRequest, row, 'r_');
    const bid = hydrate(em, Bid, row, 'b_');
    noteLock(em, 'help_requests', [request.id]);
    noteLock(em, 'bids', [bid.id]);
    return { request, bid, awardedExpertId: (row.awarded_expert_id as string | null) ?? null };
  }

  /** A new request, open, with its expiry timer and its request.created event. */
  async create(em: EntityManager, values: Omit<Partial<HelpRequest>, 'status'> & Pick<HelpRequest, 'customerId' | 'biddingClosesAt'>): Promise<HelpRequest> {
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(HelpRequest)
      .values({ ...values, status: 'open', eventSequence: 1 })
      .returning('*')
      .execute();
    const request = hydrate(em, HelpRequest, (inserted.raw as Array<Record<string, unknown>>)[0]);
    noteInserted(em, 'help_requests', request.id);
    await this.scheduleTimers(em, request);
    await this.events.appendReserved(em, { requestId: request.id, customerId: request.customerId, lastSequence: 1 }, [
      { type: 'request.created', object: RequestResponse.from(request, this.config) },
    ]);
    return request;
  }

  /** Edits of an open request that are not state (title, budget, bidding close): written, announced, timers moved. */
  async edit(em: EntityManager, locked: LockedRequest, changes: Partial<HelpRequest>): Promise<HelpRequest> {
    const request = await this.write(em, locked.request.id, changes as Record<string, unknown>, 1);
    if (changes.biddingClosesAt) await this.scheduleTimers(em, request);
    await this.events.appendReserved(em, this.reserved(request), [{ type: 'request.updated', object: RequestResponse.from(request, this.config) }]);
    return request;
  }

  /**
   * The knowledge-base columns (not state: publishing moves no status): whether the solution is
   * published, and an admin's reason for taking it down. Under the row lock the caller holds; with
   * `notice`, one event built from the row as written (its object is the public solution).
   */
  async setPublication(
    em: EntityManager,
    locked: LockedRequest,
    changes: Partial<Pick<HelpRequest, 'publishedAt' | 'unpublishedReason'>>,
    notice?: (request: HelpRequest) => Promise<EventDraft>,
  ): Promise<HelpRequest> {
    const request = await this.write(em, locked.request.id, changes as Record<string, unknown>, notice ? 1 : 0);
    if (notice) await this.events.appendReserved(em, this.reserved(request), [await notice(request)]);
    return request;
  }

  /** Throws the state table's refusal of `event` without moving anything (a use case checks before its side effects). */
  check(locked: LockedRequest, event: RequestEvent, now = new Date()): void {
    const result = applyRequestEvent(locked.request, event, { now, settings: this.config });
    if (!result.ok) throw refusal(result);
  }

  /**
   * Applies `event` to the locked request (lock() first): the state table decides (a refusal is
   * thrown as its DomainError), then the bids move, the request's columns are written, the events
   * recorded — the use case's own first — and the timers of the state entered scheduled.
   */
  async apply(em: EntityManager, locked: LockedRequest, event: RequestEvent, options: ApplyOptions = {}): Promise<Transition> {
    const now = options.now ?? new Date();
    const before = locked.request;
    const result = applyRequestEvent(before, event, { now, settings: this.config });
    if (!result.ok) throw refusal(result);

    const bids = await this.moveBids(em, before, event, options.bid);
    const feature = options.events ?? [];
    const chosen = bids.filter((b) => b.event === 'accept');
    const following = bids.filter((b) => b.event !== 'accept');
    const count = feature.length + chosen.length + 1 + following.length;
    const request = await this.write(em, before.id, { ...result.changes, ...options.data }, count);

    const awardedExpertId = event.type === 'accept_bid' ? (chosen[0]?.bid.expertId ?? null) : request.acceptedBidId ? locked.awardedExpertId : null;
    const bidNotice = ({ bid, event: bidEvent }: MovedBid): EventDraft => ({ type: BID_NOTICES[bidEvent], object: BidResponse.from(bid), expertId: bid.expertId });
    const requestNotice: EventDraft = {
      type: REQUEST_NOTICES[event.type] ?? 'request.updated',
      object: RequestResponse.from(request, this.config),
      // The request's own events are the awarded expert's once the money is in escrow.
      expertId: request.fundedAt ? awardedExpertId : null,
    };
    const drafts = [...feature.map((d) => ({ ...d, expertId: d.expertId === undefined ? awardedExpertId : d.expertId })), ...chosen.map(bidNotice), requestNotice, ...following.map(bidNotice)];
    await this.events.appendReserved(em, this.reserved(request), drafts);
    if (request.status !== before.status) await this.scheduleTimers(em, request);
    return { before, request, movedBids: bids.map((b) => b.bid), awardedExpertId };
  }

  /**
   * Fires a timer: under the row lock, only if the request is still in the timer's state and the
   * timer is due (an early, stale, duplicated or doubly-run job changes nothing). True when it moved.
   */
  async fireTimer(name: AutomaticTransitionName, requestId: string, now = new Date()): Promise<boolean> {
    const timer = REQUEST_TIMERS.find((t) => t.name === name);
    if (!timer) throw new Error(`no timer ${name}`);
    const fired = await withTransaction(this.ds, async (em) => {
      const locked = await this.lock(em, requestId);
      if (!locked) return null;
      const check = applyRequestEvent(locked.request, { type: timer.event } as RequestEvent, { now, settings: this.config });
      if (!check.ok) {
        // Normal when the request moved on, the time was pushed back, or the job ran twice.
        this.logger.debug({ job: TIMER_JOBS[name], requestId, code: check.code }, 'timer skipped');
        return null;
      }
      const handler = this.timerHandlers.get(name);
      if (handler) return (await handler(em, locked, now)) ?? {};
      await this.apply(em, locked, { type: timer.event } as RequestEvent, { now });
      return {};
    });
    if (!fired) return false;
    this.logger.log({ requestId, timer: name }, 'timer fired');
    await fired.afterCommit?.();
    return true;
  }

  /** Schedules the timers of the request's current state (in the transaction that set their instants). */
  async scheduleTimers(em: EntityManager, request: HelpRequest): Promise<void> {
    for (const { name, at } of timersOf(request, this.config)) {
      await this.jobs.scheduleInTransaction(em, TIMER_JOBS[name], { requestId: request.id }, at, `${request.id}:${at.toISOString()}`);
    }
  }

  /** One UPDATE of the request's columns that also reserves `events` sequence numbers; the row after it. */
  private async write(em: EntityManager, requestId: string, changes: Record<string, unknown>, events: number): Promise<HelpRequest> {
    const keys = Object.keys(changes).filter((k) => changes[k] !== undefined);
    const sets = keys.map((k, i) => `${columnOf(em, HelpRequest, k)} = $${i + 3}`);
    const [row] = updatedRows(
      await em.query(
        `UPDATE help_requests SET ${[...sets, 'event_sequence = event_sequence + $2', 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *`,
        [requestId, events, ...keys.map((k) => changes[k])],
      ),
    );
    return hydrate(em, HelpRequest, row);
  }

  private reserved(request: HelpRequest) {
    return { requestId: request.id, customerId: request.customerId, lastSequence: request.eventSequence };
  }

  /**
   * The bid moves that follow the request's move (bid table), in one statement with the experts'
   * load: locks the bids it may move (or takes the one an accept names), checks each move.
   */
  private async moveBids(em: EntityManager, request: HelpRequest, event: RequestEvent, named?: Bid): Promise<MovedBid[]> {
    const statuses = bidStatusesMovedBy(event);
    if (statuses.length === 0) return [];
    const candidates = event.type === 'accept_bid'
      ? [named ?? (await this.lockBid(em, event.bidId, request.id))]
      : (await lockRows(em, 'bids', 'request_id', [request.id], { where: 'AND status = ANY($2::text[])', params: [statuses] })).map((row) => hydrate(em, Bid, row));
    const moves = bidMovesFor(event, candidates);
    if (moves.length === 0) return [];
    const planned = moves.map((move) => {
      const bid = candidates.find((b) => b.id === move.bidId) as Bid;
      const moved = applyBidEvent(bid.status, move.event, { requestStatus: request.status });
      if (!moved.ok) throw refusal(moved);
      return { bid, event: move.event, to: moved.next, delta: loadDelta(bid.status, moved.next) };
    });
    const loads = planned.filter((p) => p.delta !== 0);
    if (loads.length) noteLock(em, 'expert_profiles');
    const rows = (await em.query(
      `WITH moved AS (
         UPDATE bids b SET status = m.status, updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS m(id, status)
          WHERE b.id = m.id
        RETURNING b.*
       ), load AS (
         UPDATE expert_profiles p SET active_jobs = GREATEST(p.active_jobs + d.delta, 0)
           FROM unnest($3::uuid[], $4::int[]) AS d(expert_id, delta)
          WHERE p.user_id = d.expert_id
       )
       SELECT * FROM moved ORDER BY created_at, id`,
      [planned.map((p) => p.bid.id), planned.map((p) => p.to), loads.map((p) => p.bid.expertId), loads.map((p) => p.delta)],
    )) as Array<Record<string, unknown>>;
    return rows.map((row) => {
      const bid = hydrate(em, Bid, row);
      return { bid, event: (planned.find((p) => p.bid.id === bid.id) as { event: BidEventType }).event };
    });
  }

  private async lockBid(em: EntityManager, bidId: string, requestId: string): Promise<Bid> {
    const [row] = await lockRows(em, 'bids', 'id', [bidId], { where: 'AND request_id = $2', params: [requestId] });
    if (!row) throw refusal({ ok: false, code: 'not_found', message: 'Bid not found.' });
    return hydrate(em, Bid, row);
  }
}

interface MovedBid {
  readonly bid: Bid;
  readonly event: BidEventType;
}
