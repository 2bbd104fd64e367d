import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { sandboxStripe } from '../support/stripe';
import { onboardedAccount, paidIntent, raw, startSandbox } from './support';

/** Finding objects again after Stripe's 24-hour idempotency window: lists by owner, search by metadata. */
describe('Stripe sandbox: lists by owner and watermark, PaymentIntent search', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let now = Date.UTC(2026, 5, 1, 12);

  beforeAll(async () => {
    sandbox = await startSandbox({ clock: () => now });
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  const tick = (seconds: number) => {
    now += seconds * 1000;
    return Math.floor(now / 1000);
  };

  it('M4 refunds by payment_intent and by charge, paged with starting_after and filtered by created[gte] / created[gt]', async () => {
    const pi = await paidIntent(stripe, 10_000, 'req_lists');
    const other = await paidIntent(stripe, 10_000, 'req_lists_other');
    const t1 = tick(10);
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    await stripe.refunds.create({ payment_intent: other.id, amount: 1000 });
    const t2 = tick(10);
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const r3 = await stripe.refunds.create({ charge: pi.latest_charge as string, amount: 1000 });

    expect((await stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.id)).toEqual([r3.id, r2.id, r1.id]);
    expect((await stripe.refunds.list({ charge: pi.latest_charge as string })).data.map((r) => r.id)).toEqual([r3.id, r2.id, r1.id]);
    const page1 = await stripe.refunds.list({ payment_intent: pi.id, limit: 2 });
    expect(page1.has_more).toBe(true);
    const page2 = await stripe.refunds.list({ payment_intent: pi.id, limit: 2, starting_after: page1.data[1].id });
    expect(page2).toMatchObject({ has_more: false, data: [{ id: r1.id }] });
    expect((await stripe.refunds.list({ payment_intent: pi.id, created: { gte: t2 } })).data.map((r) => r.id)).toEqual([r3.id, r2.id]);
    expect((await stripe.refunds.list({ payment_intent: pi.id, created: { gt: t1 } })).data.map((r) => r.id)).toEqual([r3.id, r2.id]);
    expect((await stripe.refunds.list({ payment_intent: pi.id, created: { gte: t1, lt: t2 } })).data.map((r) => r.id)).toEqual([r1.id]);
  });

  it('M4 transfers by transfer_group and destination; a watermark pages only what is new, with auto-pagination', async () => {
    const [alice, bob] = [await onboardedAccount(stripe), await onboardedAccount(stripe)];
    const pi = await paidIntent(stripe, 10_000, 'req_tr_a');
    const old = await stripe.transfers.create({ amount: 1000, currency: 'usd', destination: alice.id, source_transaction: pi.latest_charge as string });
    const watermark = tick(60);
    const ids: string[] = [];
    for (const destination of [alice.id, bob.id, alice.id]) {
      ids.push((await stripe.transfers.create({ amount: 1000, currency: 'usd', destination, transfer_group: 'req_tr_b' })).id);
      tick(1);
    }
    expect((await stripe.transfers.list({ transfer_group: 'req_tr_a' })).data.map((t) => t.id)).toEqual([old.id]);
    expect((await stripe.transfers.list({ transfer_group: 'req_tr_b' })).data).toHaveLength(3);
    expect((await stripe.transfers.list({ destination: alice.id })).data.map((t) => t.id)).toEqual([ids[2], ids[0], old.id]);
    const since = await stripe.transfers.list({ created: { gte: watermark }, limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(since.map((t) => t.id)).toEqual([...ids].reverse());
  });

  it('M4 search: metadata[\'escrowId\'] finds the PaymentIntent at once (no index lag, unlike Stripe) in Stripe\'s search_result shape', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 7300, currency: 'usd', metadata: { escrowId: 'esc_Search-1', requestId: 'req_s' } });
    await stripe.paymentIntents.create({ amount: 7300, currency: 'usd', metadata: { escrowId: 'esc_other' } });
    const found = await stripe.paymentIntents.search({ query: "metadata['escrowId']:'esc_Search-1'" });
    expect(found).toMatchObject({ object: 'search_result', has_more: false, next_page: null, url: '/v1/payment_intents/search' });
    expect(found.data.map((p) => p.id)).toEqual([pi.id]);
    // Token fields match exactly but case-insensitively, as on Stripe; double quotes work too.
    expect((await stripe.paymentIntents.search({ query: 'metadata["escrowid"]:"ESC_SEARCH-1"' })).data).toHaveLength(0);
    expect((await stripe.paymentIntents.search({ query: 'metadata["escrowId"]:"ESC_SEARCH-1"' })).data.map((p) => p.id)).toEqual([pi.id]);
    expect((await stripe.paymentIntents.search({ query: "metadata['escrowId']:'esc_Search'" })).data).toHaveLength(0);
  });

  it('M4 search: AND, OR, negation, numeric comparators and null; pages with next_page; total_count when expanded', async () => {
    const group = `grp_${Date.now()}`;
    const made: Stripe.PaymentIntent[] = [];
    for (const amount of [1000, 2000, 3000]) made.push(await stripe.paymentIntents.create({ amount, currency: 'eur', metadata: { group } }));
    await stripe.paymentIntents.cancel(made[0].id);
    const ids = async (query: string) => (await stripe.paymentIntents.search({ query, limit: 100 })).data.map((p) => p.id);
    expect(await ids(`metadata['group']:'${group}' AND amount>=2000`)).toEqual([made[2].id, made[1].id]);
    expect(await ids(`metadata['group']:'${group}' -status:'canceled'`)).toEqual([made[2].id, made[1].id]);
    expect(await ids(`metadata['group']:'${group}' status:'canceled'`)).toEqual([made[0].id]);
    expect(await ids(`amount:1000 OR amount:3000`)).toEqual(expect.arrayContaining([made[0].id, made[2].id]));
    expect(await ids(`metadata['group']:'${group}' customer:null currency:'eur' amount<3000`)).toEqual([made[1].id, made[0].id]);

    const first = await stripe.paymentIntents.search({ query: `metadata['group']:'${group}'`, limit: 2, expand: ['total_count'] });
    expect(first).toMatchObject({ has_more: true, total_count: 3 });
    const second = await stripe.paymentIntents.search({ query: `metadata['group']:'${group}'`, limit: 2, page: first.next_page as string });
    expect(second).toMatchObject({ has_more: false, next_page: null, data: [{ id: made[0].id }] });
    const all = await stripe.paymentIntents.search({ query: `metadata['group']:'${group}'`, limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(all.map((p) => p.id)).toEqual([made[2].id, made[1].id, made[0].id]);
  });

  it.each([
    ['status:succeeded', 'quoted'],
    ["amount>'x'", 'numeric'],
    ["status:'a' AND amount:1 OR amount:2", 'AND and OR'],
    ["description:'x'", 'not a supported search field'],
    ["status~'succ'", 'substring'],
    ["metadata['k':'v'", 'expected ]'],
    ['', 'empty string'],
  ])('a bad query %p is a 400 invalid_request_error on param query (%s)', async (query, words) => {
    const answer = await raw(sandbox, 'GET', `/v1/payment_intents/search?query=${encodeURIComponent(query)}`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', param: 'query', message: expect.stringContaining(words) });
  });

  it('a tampered page token is refused; search is not mistaken for a PaymentIntent id', async () => {
    const answer = await raw(sandbox, 'GET', `/v1/payment_intents/search?query=${encodeURIComponent('amount>0')}&page=bogus`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ param: 'page' });
    expect((await raw(sandbox, 'GET', '/v1/payment_intents/search')).json.error).toMatchObject({ code: 'parameter_missing', param: 'query' });
  });
});
