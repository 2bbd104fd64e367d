import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { payoutAccountState } from '../payouts/domain/payout-account-status';
import { CollaboratingServices } from './collaborating-services';
import { PayoutService } from './payout.service';
import { AccountView } from './stripe/stripe-objects';

/**
 * account.updated: the expert's Connect account as Stripe has it now (re-read, W3) onto
 * payout_accounts — by the payout-accounts feature when it is in the app — and, once the account
 * can take transfers, a payout job for every payout that waited for it.
 */
@Injectable()
export class PayoutAccountSyncService {
  constructor(
    private readonly payouts: PayoutService,
    private readonly collaborators: CollaboratingServices,
  ) {}

  async applyAccountUpdated(em: EntityManager, account: AccountView, eventCreated: Date): Promise<{ userId: string; enabled: boolean } | null> {
    const updated = await this.updateRow(em, account, eventCreated);
    if (!updated) return null;
    if (updated.enabled) await this.payouts.schedulePendingInTransaction(em, updated.userId);
    return updated;
  }

  private async updateRow(em: EntityManager, account: AccountView, eventCreated: Date): Promise<{ userId: string; enabled: boolean } | null> {
    const feature = this.collaborators.payoutAccounts();
    if (feature) {
      const result = await feature.applyAccountUpdate(em, account, eventCreated);
      return result ? { userId: result.userId, enabled: result.account.status === 'enabled' && result.account.payoutsEnabled } : null;
    }
    const state = payoutAccountState(account);
    const [rows] = (await em.query(
      `UPDATE payout_accounts
          SET status = $2, payouts_enabled = $3, updated_at = now(),
              stripe_updated_at = GREATEST(COALESCE(stripe_updated_at, $4), $4)
        WHERE stripe_account_id = $1
        RETURNING user_id AS "userId"`,
      [account.id, state.status, state.payoutsEnabled, eventCreated],
    )) as [Array<{ userId: string }>, number];
    const row = rows[0];
    return row ? { userId: row.userId, enabled: state.status === 'enabled' && state.payoutsEnabled } : null;
  }
}
