import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { lockRows } from '../database/locks';
import { EventsService } from '../events/events.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { payoutAccountState } from './domain/payout-account-status';
import { PayoutAccountResponse } from './dto/payout-account.response';
import { PayoutAccount } from './payout-account.entity';
import { PayoutService } from './payout.service';
import { AccountView } from './stripe/stripe-objects';

/**
 * account.updated: the expert's Connect account as Stripe has it now (re-read, W3) onto
 * payout_accounts, so the newest read always wins; once the account can take transfers, a payout
 * job for every payout that waited for it. When the status changes, each of the expert's requests
 * waiting for a payout gets a 'payout.account_updated' event (events belong to requests).
 */
@Injectable()
export class PayoutAccountSyncService {
  constructor(
    private readonly payouts: PayoutService,
    private readonly requests: RequestLifecycle,
    private readonly events: EventsService,
  ) {}

  async applyAccountUpdated(em: EntityManager, view: AccountView, eventCreated: Date): Promise<{ userId: string; enabled: boolean } | null> {
    // The account's owner never changes: read it unlocked, so the requests it reports to are locked first (the lock order).
    const owner = await em.getRepository(PayoutAccount).findOne({ where: { stripeAccountId: view.id }, select: { userId: true } });
    if (!owner) return null;
    const waiting = await this.requestsAwaitingPayout(em, owner.userId);
    for (const requestId of waiting) await this.requests.lock(em, requestId);
    const [row] = await lockRows(em, 'payout_accounts', 'user_id', [owner.userId]);
    const before = em.getRepository(PayoutAccount).create({ status: row.status as PayoutAccount['status'], payoutsEnabled: row.payouts_enabled as boolean });
    const seen = row.stripe_updated_at as Date | null;
    const state = payoutAccountState(view);
    const newest = seen && seen > eventCreated ? seen : eventCreated;
    const repo = em.getRepository(PayoutAccount);
    await repo.update(owner.userId, { status: state.status, payoutsEnabled: state.payoutsEnabled, stripeUpdatedAt: newest });
    const account = await repo.findOneByOrFail({ userId: owner.userId });
    if (before.status !== account.status || before.payoutsEnabled !== account.payoutsEnabled) {
      for (const requestId of waiting) {
        await this.events.record(em, requestId, 'payout.account_updated', PayoutAccountResponse.from(account), { expertId: owner.userId });
      }
    }
    const enabled = account.status === 'enabled' && account.payoutsEnabled;
    if (enabled) await this.payouts.schedulePendingInTransaction(em, owner.userId);
    return { userId: owner.userId, enabled };
  }

  private async requestsAwaitingPayout(em: EntityManager, expertId: string): Promise<string[]> {
    const rows = (await em.query(
      `SELECT DISTINCT request_id FROM escrows WHERE expert_id = $1 AND payout_status = 'pending' ORDER BY request_id`,
      [expertId],
    )) as Array<{ request_id: string }>;
    return rows.map((r) => r.request_id);
  }
}
