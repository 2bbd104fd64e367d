import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { lockRows } from '../database/locks';
import { EventsService } from '../events/events.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { payoutAccountState } from './domain/payout-account-status';
import { PayoutAccountResponse } from './dto/payout-account.response';
import { PartnerPayoutAccount } from './partner-payout-account.entity';
import { PayoutAccount } from './payout-account.entity';
import { PayoutService } from './payout.service';
import { AccountView } from './stripe/stripe-objects';

export interface AccountSynced {
  /** The expert's user id, or the partner's id (`owner` says which). */
  ownerId: string;
  owner: 'expert' | 'partner';
  enabled: boolean;
}

/**
 * account.updated: a Connect account as Stripe has it now (re-read, W3) onto its row — an
 * expert's payout_accounts or a partner's partner_payout_accounts — so the newest read always
 * wins; once the account can take transfers, a payout job for every payout that waited for it.
 * When an expert's status changes, each of the expert's requests waiting for a payout gets a
 * 'payout.account_updated' event (events belong to requests; a partner's account is its own
 * business and is not told to the requests' parties).
 */
@Injectable()
export class PayoutAccountSyncService {
  constructor(
    private readonly payouts: PayoutService,
    private readonly requests: RequestLifecycle,
    private readonly events: EventsService,
  ) {}

  async applyAccountUpdated(em: EntityManager, view: AccountView, eventCreated: Date): Promise<AccountSynced | null> {
    // The account's owner never changes: read it unlocked, so the requests it reports to are locked first (the lock order).
    const owner = await em.getRepository(PayoutAccount).findOne({ where: { stripeAccountId: view.id }, select: { userId: true } });
    if (!owner) return this.applyToPartner(em, view, eventCreated);
    const waiting = await this.requestsAwaitingPayout(em, owner.userId);
    for (const requestId of waiting) await this.requests.lock(em, requestId);
    const [row] = await lockRows(em, 'payout_accounts', 'user_id', [owner.userId]);
    const before = { status: row.status as PayoutAccount['status'], payoutsEnabled: row.payouts_enabled as boolean };
    const state = payoutAccountState(view);
    const repo = em.getRepository(PayoutAccount);
    await repo.update(owner.userId, { status: state.status, payoutsEnabled: state.payoutsEnabled, stripeUpdatedAt: newest(row, eventCreated) });
    const account = await repo.findOneByOrFail({ userId: owner.userId });
    if (before.status !== account.status || before.payoutsEnabled !== account.payoutsEnabled) {
      for (const requestId of waiting) {
        await this.events.record(em, requestId, 'payout.account_updated', PayoutAccountResponse.from(account), { expertId: owner.userId });
      }
    }
    const enabled = account.status === 'enabled' && account.payoutsEnabled;
    if (enabled) {
      await this.payouts.schedulePendingInTransaction(em, owner.userId);
      // Holdbacks whose warranty ended while the account could not take Transfers.
      await this.payouts.schedulePendingInTransaction(em, owner.userId, 'holdback');
    }
    return { ownerId: owner.userId, owner: 'expert', enabled };
  }

  /** A partner's account: its row follows Stripe, and once enabled every revenue share that waited gets its payout job (M9). */
  private async applyToPartner(em: EntityManager, view: AccountView, eventCreated: Date): Promise<AccountSynced | null> {
    const repo = em.getRepository(PartnerPayoutAccount);
    const owner = await repo.findOne({ where: { stripeAccountId: view.id }, select: { partnerId: true } });
    if (!owner) return null;
    const [row] = await lockRows(em, 'partner_payout_accounts', 'partner_id', [owner.partnerId]);
    const state = payoutAccountState(view);
    await repo.update(owner.partnerId, { status: state.status, payoutsEnabled: state.payoutsEnabled, stripeUpdatedAt: newest(row, eventCreated) });
    const enabled = state.status === 'enabled' && state.payoutsEnabled;
    if (enabled) await this.payouts.schedulePendingInTransaction(em, owner.partnerId, 'partner');
    return { ownerId: owner.partnerId, owner: 'partner', enabled };
  }

  private async requestsAwaitingPayout(em: EntityManager, expertId: string): Promise<string[]> {
    const rows = (await em.query(
      `SELECT DISTINCT request_id FROM escrows WHERE expert_id = $1 AND payout_status = 'pending' ORDER BY request_id`,
      [expertId],
    )) as Array<{ request_id: string }>;
    return rows.map((r) => r.request_id);
  }
}

/** The `created` time of the newest event applied to the row, so a late older event never moves it back (W3). */
function newest(row: Record<string, unknown>, eventCreated: Date): Date {
  const seen = row.stripe_updated_at as Date | null;
  return seen && seen > eventCreated ? seen : eventCreated;
}
