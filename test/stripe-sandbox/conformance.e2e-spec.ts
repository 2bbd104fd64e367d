import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { EXPAND_ONLY_FIELDS, list, OPTIONAL_FIELDS, read, specFieldNames, STRIPE_FIELDS } from './conformance-fields';
import { onboardedAccount, paidIntent, raw, startSandbox } from './support';
import { sandboxStripe } from '../support/stripe';

/** Objects whose optional spec fields (error details) vary by case: only the table's fields are checked. */
const OPEN_SHAPES = new Set(['error', 'last_payment_error']);

describe('Stripe sandbox: objects carry the fields and JSON types of Stripe’s spec', () => {
  let sandbox: StripeSandbox;
  const samples = new Map<string, { label: string; value: unknown }[]>();
  const add = (kind: string, label: string, value: unknown) => samples.set(kind, [...(samples.get(kind) ?? []), { label, value }]);
  /** The JSON exactly as the sandbox sent it (not the SDK's view of it). */
  const json = async (path: string) => (await raw(sandbox, 'GET', path)).json;

  beforeAll(async () => {
    sandbox = await startSandbox({ asyncDelayMs: 10 });
    const stripe = sandboxStripe(sandbox);
    const fresh = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', metadata: { requestId: 'r1' } });
    add('payment_intent', 'requires_payment_method', await json(`/v1/payment_intents/${fresh.id}`));
    const declined = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    await stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' }).catch(() => undefined);
    const declinedJson = await json(`/v1/payment_intents/${declined.id}`);
    add('payment_intent', 'after a decline', declinedJson);
    add('last_payment_error', 'decline', declinedJson.last_payment_error);
    add('payment_method', 'last_payment_error.payment_method', (declinedJson.last_payment_error as { payment_method: unknown }).payment_method);
    const again = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    const cardError = (await raw(sandbox, 'POST', `/v1/payment_intents/${again.id}/confirm`, 'payment_method=pm_card_chargeDeclinedInsufficientFunds')).json.error as { payment_method: unknown };
    add('payment_method', 'error.payment_method of a decline', cardError.payment_method);
    add('charge', 'failed', await json(`/v1/charges/${(declinedJson as { latest_charge: string }).latest_charge}`));
    const canceled = await stripe.paymentIntents.cancel((await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' })).id);
    add('payment_intent', 'canceled', await json(`/v1/payment_intents/${canceled.id}`));

    const paid = await paidIntent(stripe, 20_000, 'req_conf');
    add('payment_intent', 'succeeded', await json(`/v1/payment_intents/${paid.id}`));
    const refund = await stripe.refunds.create({ payment_intent: paid.id, amount: 2000 });
    add('refund', 'partial', await json(`/v1/refunds/${refund.id}`));
    const charge = await json(`/v1/charges/${paid.latest_charge as string}`);
    add('charge', 'succeeded, partly refunded', charge);
    add('balance_transaction', 'charge', await json(`/v1/balance_transactions/${(charge as { balance_transaction: string }).balance_transaction}`));

    const fresher = await stripe.accounts.create({ type: 'express', country: 'US', capabilities: { transfers: { requested: true } } });
    add('account', 'new', await json(`/v1/accounts/${fresher.id}`));
    const link = await stripe.accountLinks.create({ account: fresher.id, type: 'account_onboarding', refresh_url: 'https://x.test/r', return_url: 'https://x.test/d' });
    add('account_link', 'onboarding', (await raw(sandbox, 'POST', '/v1/account_links', `account=${fresher.id}&type=account_onboarding&refresh_url=https://x.test/r&return_url=https://x.test/d`)).json);
    expect(link.url).toContain(fresher.id);
    const account = await onboardedAccount(stripe);
    add('account', 'onboarded', await json(`/v1/accounts/${account.id}`));

    const transfer = await stripe.transfers.create({ amount: 15_000, currency: 'usd', destination: account.id, source_transaction: paid.latest_charge as string });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 1000 });
    add('transfer', 'partly reversed', await json(`/v1/transfers/${transfer.id}`));
    add('transfer_reversal', 'partial', await json(`/v1/transfers/${transfer.id}/reversals/${reversal.id}`));

    const other = await paidIntent(stripe, 5000, 'req_conf_cb');
    const dispute = (await raw(sandbox, 'POST', `/sandbox/charges/${other.latest_charge as string}/dispute`, '')).json;
    add('dispute', 'chargeback', await json(`/v1/disputes/${(dispute as { id: string }).id}`));
    await stripe.disputes.update((dispute as { id: string }).id, { evidence: { uncategorized_text: 'winning_evidence' } });
    const inquiryPi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_createDisputeInquiry', confirm: true });
    const [inquiry] = (await stripe.disputes.list({ payment_intent: inquiryPi.id })).data;
    add('dispute', 'inquiry', await json(`/v1/disputes/${inquiry.id}`));
    await stripe.disputes.close(inquiry.id);
    const failing = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_refundFail', confirm: true });
    const doomed = await stripe.refunds.create({ payment_intent: failing.id });
    await sandbox.webhooksIdle();
    add('dispute', 'won', await json(`/v1/disputes/${(dispute as { id: string }).id}`));
    add('dispute', 'inquiry closed', await json(`/v1/disputes/${inquiry.id}`));
    add('refund', 'failed', await json(`/v1/refunds/${doomed.id}`));
    add('balance', 'platform', await json('/v1/balance'));
    add('balance', 'connected account', (await raw(sandbox, 'GET', '/v1/balance', undefined, { 'Stripe-Account': account.id })).json);
    add('search_result', 'payment_intents', await json(`/v1/payment_intents/search?query=${encodeURIComponent("metadata['requestId']:'r1'")}&expand[]=total_count`));
    for (const { value } of samples.get('dispute') ?? []) {
      for (const txn of (value as { balance_transactions: unknown[] }).balance_transactions) add('balance_transaction', 'in dispute.balance_transactions', txn);
    }

    for (const path of ['/v1/payment_intents', '/v1/charges', '/v1/refunds', '/v1/transfers', '/v1/accounts', '/v1/events?limit=100', '/v1/disputes']) {
      add('list', path, await json(path));
    }
    type Page = { data: { id: string; type: string; data: { object: { object: string } } }[]; has_more: boolean };
    const events: Page['data'] = [];
    for (let page = (await json('/v1/events?limit=100')) as Page; ; page = (await json(`/v1/events?limit=100&starting_after=${events[events.length - 1].id}`)) as Page) {
      events.push(...page.data);
      if (!page.has_more) break;
    }
    for (const event of events) {
      add('event', event.type, event);
      add(event.data.object.object, `data.object of ${event.type}`, event.data.object);
    }
    add('error', '404 resource_missing', (await json('/v1/payment_intents/pi_missing')).error);
    add('error', '400 parameter_missing', (await raw(sandbox, 'POST', '/v1/refunds', '')).json.error);
  });
  afterAll(() => sandbox.close());

  it.each(Object.keys(STRIPE_FIELDS))('%s', (kind) => {
    const found = samples.get(kind) ?? [];
    expect(found.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const { label, value } of found) {
      for (const [path, type] of Object.entries(STRIPE_FIELDS[kind])) {
        const field = read(value, path);
        if (!field.present) problems.push(`${label}: ${path} missing`);
        else if (!type.check(field.value)) problems.push(`${label}: ${path} is ${JSON.stringify(field.value)}, expected ${type.name}`);
      }
      if (OPEN_SHAPES.has(kind)) continue;
      const allowed = specFieldNames(kind);
      for (const name of Object.keys(value as object)) {
        if (!allowed.includes(name)) problems.push(`${label}: ${name} is not a field of ${kind} in Stripe's spec`);
      }
      for (const [path, type] of Object.entries(OPTIONAL_FIELDS[kind] ?? {})) {
        const field = read(value, path);
        if (field.present && !type.check(field.value)) problems.push(`${label}: optional ${path} is ${JSON.stringify(field.value)}, expected ${type.name}`);
      }
      for (const path of EXPAND_ONLY_FIELDS[kind] ?? []) {
        if (read(value, path).present) problems.push(`${label}: ${path} is sent without expand[]=${path} (Stripe stopped in API 2022-11-15)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a charge carries its refunds only when asked: expand[]=refunds gives a list of Refund objects', async () => {
    const pi = await paidIntent(sandboxStripe(sandbox), 6000, 'req_conf_expand');
    await sandboxStripe(sandbox).refunds.create({ payment_intent: pi.id, amount: 100 });
    const plain = await json(`/v1/charges/${pi.latest_charge as string}`);
    expect(plain).not.toHaveProperty('refunds');
    const expanded = (await json(`/v1/charges/${pi.latest_charge as string}?expand[]=refunds`)) as { refunds: { data: Record<string, unknown>[] } };
    expect(list.check(expanded.refunds)).toBe(true);
    expect(expanded.refunds.data).toMatchObject([{ object: 'refund', amount: 100, charge: pi.latest_charge }]);
    const viaIntent = (await json(`/v1/payment_intents/${pi.id}?expand[]=latest_charge.refunds`)) as { latest_charge: { refunds: { data: unknown[] } } };
    expect(viaIntent.latest_charge.refunds.data).toHaveLength(1);
  });

  it('webhook-relevant events carry the object the receiver reads', () => {
    const types = (samples.get('event') ?? []).map((s) => s.label);
    for (const type of [
      'payment_intent.created', 'payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.canceled', 'charge.refunded',
      'charge.refund.updated', 'refund.failed', 'charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated',
      'charge.dispute.closed', 'charge.dispute.funds_reinstated', 'account.updated', 'transfer.created',
    ]) {
      expect(types).toContain(type);
    }
    const refunded = (samples.get('event') ?? []).filter((s) => s.label === 'charge.refunded').map((s) => (s.value as Stripe.Event).data.object);
    expect(refunded).toContainEqual(expect.objectContaining({ object: 'charge', amount_refunded: 2000 }));
    const failed = (samples.get('event') ?? []).find((s) => s.label === 'refund.failed')?.value as Stripe.Event;
    expect(failed.data.object).toMatchObject({ object: 'refund', status: 'failed', failure_reason: 'expired_or_canceled_card' });
  });
});
