import { json, RequestContext, Route } from './context';
import { invalidRequest, paramError, resourceMissing } from './errors';
import type { BalanceAmount, BalanceObject } from './objects';
import type { SandboxState } from './state';

/**
 * Balances. The platform's is computed from its balance transactions (a charge's proceeds are
 * pending for two days; debits count at once). A connected account's is kept per currency:
 * transfers arrive available at once (a sandbox shortcut), reversals take from it, and tests set
 * or drain it with POST /sandbox/accounts/:id/balance — as if the expert had been paid out to the bank.
 */
export function accountAvailable(state: SandboxState, accountId: string, currency: string): number {
  return state.accountBalances.get(accountId)?.available[currency] ?? 0;
}

export function adjustAccountBalance(state: SandboxState, accountId: string, currency: string, delta: number): void {
  const entry = state.accountBalances.get(accountId) ?? { id: accountId, available: {} };
  entry.available[currency] = (entry.available[currency] ?? 0) + delta;
  state.accountBalances.set(accountId, entry);
}

const amountOf = (amount: number, currency: string): BalanceAmount => ({ amount, currency, source_types: { card: amount } });

function platformBalance(state: SandboxState): BalanceObject {
  const totals = new Map<string, { available: number; pending: number }>([['usd', { available: 0, pending: 0 }]]);
  for (const txn of state.balanceTransactions.values()) {
    const total = totals.get(txn.currency) ?? { available: 0, pending: 0 };
    if (txn.available_on <= state.now()) total.available += txn.net;
    else total.pending += txn.net;
    totals.set(txn.currency, total);
  }
  const currencies = [...totals.keys()];
  return {
    object: 'balance',
    available: currencies.map((currency) => amountOf(totals.get(currency)!.available, currency)),
    connect_reserved: currencies.map((currency) => ({ amount: 0, currency })),
    livemode: false,
    pending: currencies.map((currency) => amountOf(totals.get(currency)!.pending, currency)),
  };
}

function connectedBalance(ctx: RequestContext, accountId: string): BalanceObject {
  const account = ctx.state.accounts.get(accountId);
  if (!account) {
    throw invalidRequest(
      `The provided key '${ctx.apiKey.slice(0, 12)}…' does not have access to account '${accountId}' (or that account does not exist). Application access may have been revoked.`,
      { code: 'account_invalid', status: 403, saved: false },
    );
  }
  const held = { [account.default_currency]: 0, ...ctx.state.accountBalances.get(accountId)?.available };
  return {
    object: 'balance',
    available: Object.entries(held).map(([currency, amount]) => amountOf(amount, currency)),
    livemode: false,
    pending: Object.keys(held).map((currency) => amountOf(0, currency)),
  };
}

export const balanceRoutes: Route[] = [
  {
    // With `Stripe-Account: acct_…` the connected account's balance, as the SDK's {stripeAccount} option sends it.
    method: 'GET',
    pattern: '/v1/balance',
    handler: (ctx) => {
      ctx.params.allowOnly(['expand']);
      return json(ctx.stripeAccount ? connectedBalance(ctx, ctx.stripeAccount) : platformBalance(ctx.state));
    },
  },
  {
    // Test helper, not a Stripe route: set a connected account's available balance (e.g. 0 after a payout to the bank).
    method: 'POST',
    pattern: '/sandbox/accounts/:id/balance',
    public: true,
    handler: (ctx) => {
      const p = ctx.params.allowOnly(['available', 'currency']);
      const account = ctx.state.accounts.get(ctx.pathParams.id);
      if (!account) throw resourceMissing('account', ctx.pathParams.id);
      const available = p.requiredInteger('available');
      if (available < 0) throw paramError('available must be 0 or more.', 'parameter_invalid_integer', 'available');
      const currency = p.has('currency') ? p.currency() : account.default_currency;
      adjustAccountBalance(ctx.state, account.id, currency, available - accountAvailable(ctx.state, account.id, currency));
      return json(connectedBalance({ ...ctx, stripeAccount: account.id }, account.id));
    },
  },
];
