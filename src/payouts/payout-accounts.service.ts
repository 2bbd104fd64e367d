import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsService } from '../events/events.service';
import { AccountView } from '../payments/stripe/stripe-objects';
import { StripeGateway } from '../payments/stripe/stripe.gateway';
import { User } from '../users/user.entity';
import { becameEnabled, payoutAccountState } from './domain/payout-account-status';
import { PayoutAccountResponse } from './dto/payout-account.response';
import { PayoutAccount } from './payout-account.entity';

export interface Onboarding {
  account: PayoutAccount;
  created: boolean;
  onboardingUrl: string;
}

export interface AccountUpdate {
  userId: string;
  account: PayoutAccount;
  /** payouts just became possible: pending payouts may now be transferred. */
  becameEnabled: boolean;
}

/**
 * Experts' Stripe Connect Express accounts. Stripe calls happen outside any transaction (M5):
 * the account is created with the idempotency key `account:<userId>`, so a retry or a race
 * gets the same account, and the row is inserted once (user_id is the key).
 */
@Injectable()
export class PayoutAccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stripe: StripeGateway,
    private readonly events: EventsService,
  ) {}

  /** Creates the account on first call, then always a fresh onboarding link (links expire within minutes). */
  async startOnboarding(userId: string, requestBaseUrl: string): Promise<Onboarding> {
    let account = await this.find(userId);
    let created = false;
    if (!account) {
      const user = await this.ds.getRepository(User).findOneByOrFail({ id: userId });
      const view = await this.stripe.createExpressAccount(userId, user.email);
      const state = payoutAccountState(view);
      const inserted = (await this.ds.query(
        `INSERT INTO payout_accounts (user_id, stripe_account_id, status, payouts_enabled)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING user_id`,
        [userId, view.id, state.status, state.payoutsEnabled],
      )) as unknown[];
      created = inserted.length > 0;
      account = await this.find(userId);
      if (!account) throw new Error(`payout account of ${userId} neither inserted nor found`);
    }
    // The return and refresh pages: the status route itself (a front-end at PUBLIC_BASE_URL serves its own).
    const back = `${(this.config.publicBaseUrl ?? requestBaseUrl).replace(/\/+$/, '')}/v1/experts/me/payout-account`;
    const link = await this.stripe.createOnboardingLink(account.stripeAccountId, back, back);
    return { account, created, onboardingUrl: link.url };
  }

  async get(userId: string): Promise<PayoutAccount> {
    const account = await this.find(userId);
    if (!account) throw new DomainError('payout_account_missing', 'No payout account yet: POST /v1/experts/me/payout-account to create one.');
    return account;
  }

  /**
   * `account.updated`, inside the webhook's transaction, with the account as Stripe has it now
   * (payments re-reads it: W3), so the newest read always wins. Returns null for accounts that
   * are not ours. When the status changes, each of the expert's requests waiting for a payout
   * gets a 'payout.account_updated' event (events belong to requests; none waiting → no event).
   */
  async applyAccountUpdate(em: EntityManager, view: AccountView, eventCreated: Date): Promise<AccountUpdate | null> {
    const repo = em.getRepository(PayoutAccount);
    const row = await repo.findOne({ where: { stripeAccountId: view.id }, lock: { mode: 'pessimistic_write' } });
    if (!row) return null;
    const state = payoutAccountState(view);
    const newest = row.stripeUpdatedAt && row.stripeUpdatedAt > eventCreated ? row.stripeUpdatedAt : eventCreated;
    await repo.update(row.userId, { status: state.status, payoutsEnabled: state.payoutsEnabled, stripeUpdatedAt: newest });
    const account = await repo.findOneByOrFail({ userId: row.userId });
    if (row.status !== account.status || row.payoutsEnabled !== account.payoutsEnabled) {
      for (const requestId of await this.requestsAwaitingPayout(em, row.userId)) {
        await this.events.record(em, requestId, 'payout.account_updated', PayoutAccountResponse.from(account), { expertId: row.userId });
      }
    }
    return { userId: row.userId, account, becameEnabled: becameEnabled(row.status, account.status) };
  }

  private find(userId: string): Promise<PayoutAccount | null> {
    return this.ds.getRepository(PayoutAccount).findOneBy({ userId });
  }

  private async requestsAwaitingPayout(em: EntityManager, expertId: string): Promise<string[]> {
    const rows = (await em.query(
      `SELECT DISTINCT request_id FROM escrows WHERE expert_id = $1 AND payout_status = 'pending' ORDER BY request_id`,
      [expertId],
    )) as Array<{ request_id: string }>;
    return rows.map((r) => r.request_id);
  }
}
