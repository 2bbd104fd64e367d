/**
 * What an expert's Connect account can do, read from Stripe's Account object (the fields
 * `account.updated` carries). Pure: no Nest, no Stripe SDK.
 */
export const PAYOUT_ACCOUNT_STATUSES = ['pending', 'enabled', 'restricted'] as const;
export type PayoutAccountStatus = (typeof PAYOUT_ACCOUNT_STATUSES)[number];

/** The Account fields the rule reads (a structural subset of Stripe.Account). */
export interface ConnectAccountFacts {
  readonly payouts_enabled?: boolean | null;
  readonly details_submitted?: boolean | null;
  readonly capabilities?: { readonly transfers?: string | null } | null;
  readonly requirements?: { readonly disabled_reason?: string | null } | null;
}

export interface PayoutAccountState {
  readonly status: PayoutAccountStatus;
  readonly payoutsEnabled: boolean;
}

/**
 * enabled: the account can take our Transfers (the `transfers` capability is active) and pay
 * them out (`payouts_enabled`). restricted: onboarding was submitted, or Stripe rejected the
 * account, yet it cannot be paid: the expert has to act. pending: onboarding not finished.
 */
export function payoutAccountState(account: ConnectAccountFacts): PayoutAccountState {
  const payoutsEnabled = account.payouts_enabled === true;
  const transfersActive = account.capabilities?.transfers === 'active';
  if (payoutsEnabled && transfersActive) return { status: 'enabled', payoutsEnabled };
  const rejected = account.requirements?.disabled_reason?.startsWith('rejected') ?? false;
  if (account.details_submitted === true || rejected) return { status: 'restricted', payoutsEnabled };
  return { status: 'pending', payoutsEnabled };
}

/** True when this update is the one that lets pending payouts go out. */
export function becameEnabled(before: PayoutAccountStatus, after: PayoutAccountStatus): boolean {
  return before !== 'enabled' && after === 'enabled';
}
