import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { Escrow } from '../payments/escrow.entity';
import { EscrowService } from '../payments/escrow.service';
import { HelpRequest } from '../requests/help-request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { Bid } from './bid.entity';
import { bidNotFound, isUniqueViolation } from './bid-errors';

const ACCEPTED_BID_INDEX = 'UQ_bids_accepted_per_request';

export interface AcceptedBid {
  request: HelpRequest;
  bid: Bid;
  /** requires_payment, with its PaymentIntent (and client secret) once Stripe has answered. */
  escrow: Escrow;
}

/**
 * Accepting a bid (C1, R1): one transaction that locks the request row and the bid in one
 * statement, so racing accepts on one request queue up and every one after the first finds the
 * request no longer open (409 request_not_open). UQ_bids_accepted_per_request backs the lock.
 */
@Injectable()
export class BidAcceptanceService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly lifecycle: RequestLifecycle,
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

  /** Six statements: lock request and bid, move the bid (and the expert's load), write the request, its timer, the escrow, the events. */
  private async acceptInTransaction(bidId: string, customer: Principal, now: Date): Promise<AcceptedBid> {
    try {
      return await withTransaction(this.ds, async (em) => {
        const locked = await this.lifecycle.lockWithBid(em, bidId, { customerId: customer.userId });
        if (!locked) throw bidNotFound();
        // A repeat of this very accept whose PaymentIntent could not be made: completed after commit.
        const unpaid = await this.escrows.retryableAcceptance(em, locked.request, locked.bid, now);
        if (unpaid) return { request: locked.request, bid: locked.bid, escrow: unpaid };
        // The accepted bid's warranty is fixed on the request with the accept (a later reopen reads it there).
        const moved = await this.lifecycle.apply(em, locked, { type: 'accept_bid', bidId }, { now, bid: locked.bid, data: { warrantyDays: locked.bid.warrantyDays } });
        // The escrow row (requires_payment) in this transaction; its PaymentIntent after commit (M5).
        const bid = moved.movedBids[0];
        const escrow = await this.escrows.createForAcceptedBid(em, moved.request, bid);
        return { request: moved.request, bid, escrow };
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
