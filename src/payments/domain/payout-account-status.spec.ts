import { becameEnabled, payoutAccountState } from './payout-account-status';

describe('payoutAccountState', () => {
  it.each([
    ['a new Express account (nothing submitted)', { payouts_enabled: false, details_submitted: false, capabilities: { transfers: 'inactive' }, requirements: { disabled_reason: 'requirements.past_due' } }, 'pending', false],
    ['onboarded: transfers active, payouts enabled', { payouts_enabled: true, details_submitted: true, capabilities: { transfers: 'active' }, requirements: { disabled_reason: null } }, 'enabled', true],
    ['payouts enabled but transfers not active yet', { payouts_enabled: true, details_submitted: true, capabilities: { transfers: 'pending' } }, 'restricted', true],
    ['submitted, then Stripe wants more', { payouts_enabled: false, details_submitted: true, capabilities: { transfers: 'inactive' }, requirements: { disabled_reason: 'requirements.past_due' } }, 'restricted', false],
    ['rejected by Stripe before submitting', { payouts_enabled: false, details_submitted: false, requirements: { disabled_reason: 'rejected.fraud' } }, 'restricted', false],
    ['fields missing altogether', {}, 'pending', false],
  ] as const)('%s → %s', (_name, account, status, payoutsEnabled) => {
    expect(payoutAccountState(account)).toEqual({ status, payoutsEnabled });
  });

  it('becameEnabled only on the move into enabled', () => {
    expect(becameEnabled('pending', 'enabled')).toBe(true);
    expect(becameEnabled('restricted', 'enabled')).toBe(true);
    expect(becameEnabled('enabled', 'enabled')).toBe(false);
    expect(becameEnabled('enabled', 'restricted')).toBe(false);
    expect(becameEnabled('pending', 'restricted')).toBe(false);
  });
});
