import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { payoutAccountState, PayoutAccountStatus } from '../payments/domain/payout-account-status';
import { PartnerPayoutAccount } from '../payments/partner-payout-account.entity';
import { PayoutAccount } from '../payments/payout-account.entity';
import { ConnectOwner, StripeGateway } from '../payments/stripe/stripe.gateway';
import { User } from '../users/user.entity';

/** An expert's or a partner's account row, as these routes need it. */
export interface ConnectAccount {
  stripeAccountId: string;
  status: PayoutAccountStatus;
  payoutsEnabled: boolean;
}

export interface Onboarding {
  account: ConnectAccount;
  created: boolean;
  onboardingUrl: string;
}

/** Where each owner's account lives, and the route a finished onboarding returns to. */
const OWNERS = {
  expert: { table: 'payout_accounts', key: 'user_id', route: '/v1/experts/me/payout-account', missing: 'POST /v1/experts/me/payout-account' },
  partner: { table: 'partner_payout_accounts', key: 'partner_id', route: '/v1/partner/payout-account', missing: 'POST /v1/partner/payout-account' },
} as const;

/**
 * Stripe Connect Express accounts for experts (their payouts) and partners (their revenue share):
 * creating one and its onboarding link. Stripe calls happen outside any transaction (M5): the
 * account is created with the idempotency key `account:<userId>` or `account:partner:<partnerId>`,
 * so a retry or a race gets the same account, and the row is inserted once (the owner is the key).
 * Payments keeps the row up to date from account.updated.
 */
@Injectable()
export class PayoutAccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stripe: StripeGateway,
  ) {}

  /** Creates the account on first call, then always a fresh onboarding link (links expire within minutes). */
  async startOnboarding(owner: ConnectOwner, requestBaseUrl: string): Promise<Onboarding> {
    const { table, key, route } = OWNERS[owner.kind];
    let account = await this.find(owner);
    let created = false;
    if (!account) {
      const view = await this.stripe.createExpressAccount(owner, await this.emailOf(owner));
      const state = payoutAccountState(view);
      const inserted = (await this.ds.query(
        `INSERT INTO ${table} (${key}, stripe_account_id, status, payouts_enabled)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING ${key}`,
        [owner.id, view.id, state.status, state.payoutsEnabled],
      )) as unknown[];
      created = inserted.length > 0;
      account = await this.find(owner);
      if (!account) throw new Error(`payout account of ${owner.kind} ${owner.id} neither inserted nor found`);
    }
    // The return and refresh pages: the status route itself (a front-end at PUBLIC_BASE_URL serves its own).
    const back = `${(this.config.publicBaseUrl ?? requestBaseUrl).replace(/\/+$/, '')}${route}`;
    const link = await this.stripe.createOnboardingLink(account.stripeAccountId, back, back);
    return { account, created, onboardingUrl: link.url };
  }

  async get(owner: ConnectOwner): Promise<ConnectAccount> {
    const account = await this.find(owner);
    if (!account) throw new DomainError('payout_account_missing', `No payout account yet: ${OWNERS[owner.kind].missing} to create one.`);
    return account;
  }

  /** An expert's email goes to Stripe (prefilled onboarding); a partner has none on file. */
  private async emailOf(owner: ConnectOwner): Promise<string | undefined> {
    if (owner.kind !== 'expert') return undefined;
    return (await this.ds.getRepository(User).findOneByOrFail({ id: owner.id })).email;
  }

  private find(owner: ConnectOwner): Promise<ConnectAccount | null> {
    return owner.kind === 'expert'
      ? this.ds.getRepository(PayoutAccount).findOneBy({ userId: owner.id })
      : this.ds.getRepository(PartnerPayoutAccount).findOneBy({ partnerId: owner.id });
  }
}
