import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { sandboxStripe } from '../support/stripe';
import { hook, onboardedAccount, paidIntent, startSandbox } from './support';

/** Taking a payout back after a lost chargeback: only what the expert still holds at Stripe. */
describe('Stripe sandbox: transfer reversals and connected balances', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startSandbox();
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  const connectedAvailable = async (account: string) => (await stripe.balance.retrieve({}, { stripeAccount: account })).available.find((b) => b.currency === 'usd')?.amount;

  async function paidOut(amount: number, group: string) {
    const account = await onboardedAccount(stripe);
    const pi = await paidIntent(stripe, 10_000, group);
    const transfer = await stripe.transfers.create({ amount, currency: 'usd', destination: account.id, source_transaction: pi.latest_charge as string });
    return { account, transfer };
  }

  it('a transfer lands in the connected account’s available balance (GET /v1/balance with Stripe-Account); a reversal takes it back', async () => {
    const { account, transfer } = await paidOut(8500, 'req_bal');
    expect(await connectedAvailable(account.id)).toBe(8500);
    await stripe.transfers.createReversal(transfer.id, { amount: 500 });
    expect(await connectedAvailable(account.id)).toBe(8000);
    await expect(stripe.balance.retrieve({}, { stripeAccount: 'acct_nope' })).rejects.toMatchObject({ statusCode: 403, code: 'account_invalid' });
  });

  it('M6 after the expert was paid out to the bank, a reversal fails with balance_insufficient; it succeeds as far as the balance allows', async () => {
    const { account, transfer } = await paidOut(8500, 'req_drained');
    const drained = await hook(sandbox, `/sandbox/accounts/${account.id}/balance`, { available: '3000' });
    expect(drained.json).toMatchObject({ object: 'balance', available: [{ amount: 3000, currency: 'usd' }] });

    const refused = await stripe.transfers.createReversal(transfer.id, { amount: 8500 }, { idempotencyKey: 'reverse:esc_d' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refused).toMatchObject({ statusCode: 400, code: 'balance_insufficient', param: 'amount' });
    expect((await stripe.transfers.retrieve(transfer.id)).amount_reversed).toBe(0);

    const partial = await stripe.transfers.createReversal(transfer.id, { amount: 3000, metadata: { disputeId: 'dp_x' } }, { idempotencyKey: 'reverse:esc_d:3000' });
    expect(partial).toMatchObject({ amount: 3000, metadata: { disputeId: 'dp_x' } });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({ amount_reversed: 3000, reversed: false });
    expect(await connectedAvailable(account.id)).toBe(0);
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 1 })).rejects.toMatchObject({ code: 'balance_insufficient' });
    expect((await hook(sandbox, `/sandbox/accounts/${account.id}/balance`, { available: '-1' })).status).toBe(400);
  });

  it('I1 reversals honour idempotency keys: a replay returns the same reversal and reverses nothing more; another body → idempotency_error', async () => {
    const { transfer } = await paidOut(6000, 'req_rev_key');
    const first = await stripe.transfers.createReversal(transfer.id, { amount: 2000 }, { idempotencyKey: 'reverse:esc_k' });
    const again = await stripe.transfers.createReversal(transfer.id, { amount: 2000 }, { idempotencyKey: 'reverse:esc_k' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.transfers.retrieve(transfer.id)).amount_reversed).toBe(2000);
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 2500 }, { idempotencyKey: 'reverse:esc_k' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((await stripe.transfers.listReversals(transfer.id)).data.map((r) => r.id)).toEqual([first.id]);
  });

  it('the platform balance follows the money: a charge is pending, refunds and transfers debit the available balance', async () => {
    const fresh = await startSandbox();
    try {
      const client = sandboxStripe(fresh);
      const account = await onboardedAccount(client);
      const pi = await paidIntent(client, 10_000, 'req_platform');
      const charge = await client.charges.retrieve(pi.latest_charge as string, { expand: ['balance_transaction'] });
      const net = (charge.balance_transaction as Stripe.BalanceTransaction).net;
      await client.refunds.create({ payment_intent: pi.id, amount: 1000 });
      await client.transfers.create({ amount: 5000, currency: 'usd', destination: account.id, source_transaction: charge.id });
      const balance = await client.balance.retrieve();
      expect(balance).toMatchObject({ object: 'balance', livemode: false, available: [{ currency: 'usd', amount: -6000 }], pending: [{ currency: 'usd', amount: net }] });
    } finally {
      await fresh.close();
    }
  });
});
