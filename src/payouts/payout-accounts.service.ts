import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { payoutAccountState } from '../payments/domain/payout-account-status';
import { PayoutAccount } from '../payments/payout-account.entity';
import { StripeGateway } from '../payments/stripe/stripe.gateway';
import { User } from '../users/user.entity';

export interface Onboarding {
  account: PayoutAccount;
  created: boolean;
  onboardingUrl: string;
}

/**
 * Experts' Stripe Connect Express accounts: creating one and its onboarding link. Stripe calls
 * happen outside any transaction (M5): the account is created with the idempotency key
 * `account:<userId>`, so a retry or a race gets the same account, and the row is inserted once
 * (user_id is the key). Payments keeps the row up to date from account.updated.
 */
@Injectable()
export class PayoutAccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stripe: StripeGateway,
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

  private find(userId: string): Promise<PayoutAccount | null> {
    return this.ds.getRepository(PayoutAccount).findOneBy({ userId });
  }
}
