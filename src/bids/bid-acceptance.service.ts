import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { changeExpertLoadForBid } from '../experts/expert-load';
import { Escrow } from '../payments/escrow.entity';
import { EscrowService } from '../payments/escrow.service';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { RequestTimersService } from '../requests/request-timers.service';
import { Bid } from './bid.entity';
import { isUniqueViolation, refusal } from './bid-errors';
import { lockBid } from './bid-locks';
import { applyBidEvent } from './domain/bid-state';
import { BidResponse } from './dto/bid.response';

const ACCEPTED_BID_INDEX = 'UQ_bids_accepted_per_request';

export interface AcceptedBid {
  request: HelpRequest;
  bid: Bid;
  /** requires_payment, with its PaymentIntent (and client secret) once Stripe has answered. */
  escrow: Escrow;
}

/**
 * Accepting a bid (C1, R1): one transaction that locks the request row FOR UPDATE, then the bid,
 * so racing accepts on one request queue up and every one after the first finds the request no
 * longer open (409 request_not_open). UQ_bids_accepted_per_request backs the lock.
 */
@Injectable()
export class BidAcceptanceService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly timers: RequestTimersService,
    private readonly escrows: EscrowService,
  ) {}

  /**
   * Then, after commit, the escrow's PaymentIntent (payments: key `pi:<escrowId>`). When Stripe
   * is down this answers 502/503 with the accept committed and the escrow requires_payment
   * without a PaymentIntent; the same accept repeated then completes it and answers 200.
   */
  async acceptBid(bidId: string, customer: Principal, now = new Date()): Promise<AcceptedBid> {
    const accepted = await this.acceptInTransaction(bidId, customer, now);
    return { ...accepted, escrow: await this.escrows.ensurePaymentIntent(accepted.escrow.id) };
  }

  private async acceptInTransaction(bidId: string, customer: Principal, now: Date): Promise<AcceptedBid> {
    try {
      return await withTransaction(this.ds, async (em) => {
        const { request, bid } = await lockBid(em, bidId, { customerId: customer.userId });
        // A repeat of this very accept whose PaymentIntent could not be made: completed after commit.
        const unpaid = await this.escrows.retryableAcceptance(em, request, bid, now);
        if (unpaid) return { request, bid, escrow: unpaid };
        const requestMove = applyRequestEvent(request, { type: 'accept_bid', bidId }, { now, settings: this.config });
        if (!requestMove.ok) throw refusal(requestMove);
        const bidMove = applyBidEvent(bid.status, 'accept', { requestStatus: request.status });
        if (!bidMove.ok) throw refusal(bidMove);

        const { status, acceptedBidId, acceptedAt } = requestMove.next;
        await em.getRepository(HelpRequest).update(request.id, { status, acceptedBidId, acceptedAt });
        await em.getRepository(Bid).update(bid.id, { status: bidMove.next });
        await changeExpertLoadForBid(em, bid.id, 1);
        const accepted = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
        const acceptedBid = await em.getRepository(Bid).findOneByOrFail({ id: bid.id });
        await this.timers.schedulePaymentWindow(em, accepted);

        // The escrow row (requires_payment) in this transaction; its PaymentIntent after commit (M5).
        const escrow = await this.escrows.createInTransaction(em, accepted, acceptedBid);

        await this.events.record(em, request.id, 'bid.accepted', BidResponse.from(acceptedBid), { expertId: bid.expertId });
        await this.events.record(em, request.id, 'request.updated', RequestResponse.from(accepted, this.config));
        return { request: accepted, bid: acceptedBid, escrow };
      });
    } catch (err) {
      // C1 backstop: a second accepted bid on one request is refused by the index, whatever the path.
      if (isUniqueViolation(err, ACCEPTED_BID_INDEX)) {
        throw new DomainError('request_not_open', 'The request already has an accepted bid.');
      }
      throw err;
    }
  }
}
