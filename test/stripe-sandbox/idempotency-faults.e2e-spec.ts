import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { paidIntent, raw, startSandbox } from './support';
import { sandboxStripe } from '../support/stripe';

const lastHeaders = (object: { lastResponse: { headers: Record<string, string> } }) => object.lastResponse.headers;

describe('Stripe sandbox: idempotency keys as Stripe honours them', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startSandbox();
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  it('the same key and parameters replay the first response: same id, one object, one event, Idempotent-Replayed', async () => {
    const params = { amount: 7000, currency: 'usd', transfer_group: 'req_idem', metadata: { escrowId: 'esc_idem' } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'pi:esc_idem' });
    const second = await stripe.paymentIntents.create({ ...params, metadata: { escrowId: 'esc_idem' } }, { idempotencyKey: 'pi:esc_idem' });
    expect(second.id).toBe(first.id);
    expect(second.client_secret).toBe(first.client_secret);
    expect(lastHeaders(second)['idempotent-replayed']).toBe('true');
    expect(lastHeaders(second)['original-request']).toBe(first.lastResponse.requestId);
    expect(lastHeaders(first)['idempotent-replayed']).toBeUndefined();
    const all = await stripe.paymentIntents.list({ limit: 100 });
    expect(all.data.filter((pi) => pi.transfer_group === 'req_idem')).toHaveLength(1);
    const created = await stripe.events.list({ type: 'payment_intent.created', limit: 100 });
    expect(created.data.filter((e) => (e.data.object as Stripe.PaymentIntent).id === first.id)).toHaveLength(1);
  });

  it('ten concurrent requests with one key create one PaymentIntent: every caller gets the same id', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => stripe.paymentIntents.create({ amount: 6100, currency: 'usd' }, { idempotencyKey: 'pi:race' })),
    );
    expect(new Set(results.map((pi) => pi.id)).size).toBe(1);
    expect(results.filter((pi) => lastHeaders(pi)['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect((await stripe.paymentIntents.list({ limit: 100 })).data.filter((pi) => pi.amount === 6100)).toHaveLength(1);
  });

  it('the same key with other parameters, or on another endpoint → StripeIdempotencyError, nothing created', async () => {
    await stripe.paymentIntents.create({ amount: 7000, currency: 'usd' }, { idempotencyKey: 'key-2' });
    const other = await stripe.paymentIntents.create({ amount: 7001, currency: 'usd' }, { idempotencyKey: 'key-2' }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((other as Error).message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/);
    expect(other).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    await expect(stripe.refunds.create({ payment_intent: 'pi_x' }, { idempotencyKey: 'key-2' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('keys are per API key; a decline is replayed, not charged twice; a validation failure does not use up the key', async () => {
    const a = await stripe.paymentIntents.create({ amount: 7000, currency: 'usd' }, { idempotencyKey: 'shared' });
    const b = await sandboxStripe(sandbox, { key: 'sk_test_other' }).paymentIntents.create({ amount: 7000, currency: 'usd' }, { idempotencyKey: 'shared' });
    expect(b.id).not.toBe(a.id);

    const pi = await stripe.paymentIntents.create({ amount: 7000, currency: 'usd' });
    const confirm = () => stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }, { idempotencyKey: 'confirm-1' });
    const first = (await confirm().catch((e: unknown) => e)) as StripeCardErrorLike;
    const again = (await confirm().catch((e: unknown) => e)) as StripeCardErrorLike;
    expect(again).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(again.raw.charge).toBe(first.raw.charge);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.charges.list({ payment_intent: pi.id })).data).toHaveLength(1);

    const bad = await raw(sandbox, 'POST', '/v1/payment_intents', 'currency=usd', { 'Idempotency-Key': 'retry-me' });
    expect(bad.status).toBe(400);
    const good = await raw(sandbox, 'POST', '/v1/payment_intents', 'amount=5000&currency=usd', { 'Idempotency-Key': 'retry-me' });
    expect(good.status).toBe(200);
  });

  it('a key is kept 24 hours: after that the same key is a new request', async () => {
    let now = Date.now();
    const clocked = await startSandbox({ clock: () => now });
    try {
      const client = sandboxStripe(clocked);
      const first = await client.paymentIntents.create({ amount: 5000, currency: 'usd' }, { idempotencyKey: 'day-old' });
      now += 23 * 3600 * 1000;
      expect((await client.paymentIntents.create({ amount: 5000, currency: 'usd' }, { idempotencyKey: 'day-old' })).id).toBe(first.id);
      now += 2 * 3600 * 1000;
      expect((await client.paymentIntents.create({ amount: 5000, currency: 'usd' }, { idempotencyKey: 'day-old' })).id).not.toBe(first.id);
    } finally {
      await clocked.close();
    }
  });

  it('F1 the response is lost after Stripe acted (applyFirst): the SDK retries with its key and gets the same PaymentIntent', async () => {
    const retrying = sandboxStripe(sandbox, { maxNetworkRetries: 2 });
    sandbox.faults.failNext('POST /v1/payment_intents', { status: 500, applyFirst: true });
    const pi = await retrying.paymentIntents.create({ amount: 4321, currency: 'usd' });
    expect(lastHeaders(pi)['idempotent-replayed']).toBe('true');
    const matching = (await stripe.paymentIntents.list({ limit: 100 })).data.filter((p) => p.amount === 4321);
    expect(matching.map((p) => p.id)).toEqual([pi.id]);
  });
});

type StripeCardErrorLike = Stripe.errors.StripeCardError & { raw: { charge: string }; headers: Record<string, string> };

describe('Stripe sandbox: fault hooks for "Stripe is down" tests', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeEach(async () => {
    sandbox = await startSandbox();
    stripe = sandboxStripe(sandbox);
  });
  afterEach(() => sandbox.close());

  it('F2 500 on every attempt → StripeAPIError after the SDK retries; nothing refunded; the retry later refunds once', async () => {
    const pi = await paidIntent(stripe);
    const retrying = sandboxStripe(sandbox, { maxNetworkRetries: 2 });
    sandbox.faults.failNext('/v1/refunds', { status: 500, count: 3 });
    const error = await retrying.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund:d1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 500, rawType: 'api_error' });
    expect(sandbox.faults.pending().requests).toEqual([]);
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(0);

    const refund = await retrying.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund:d1' });
    const again = await retrying.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund:d1' });
    expect(again.id).toBe(refund.id);
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(1);
  });

  it('a timeout fault hangs past the client timeout → StripeConnectionError; a reset fault → StripeConnectionError', async () => {
    const impatient = sandboxStripe(sandbox, { timeout: 300 });
    sandbox.faults.failNext('/v1/payment_intents/*', { status: 'timeout' });
    const timedOut = await impatient.paymentIntents.retrieve('pi_anything').catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((timedOut as Error).message).toContain('timeout');

    // The SDK retries a reset connection once even with maxNetworkRetries 0, so two resets.
    sandbox.faults.failNext('GET /v1/payment_intents', { status: 'reset', count: 2 });
    await expect(stripe.paymentIntents.list()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((await stripe.paymentIntents.list()).object).toBe('list');
  });

  it('stop() → connection refused (StripeConnectionError); start() on the same port → works with state intact', async () => {
    const pi = await paidIntent(stripe);
    const port = sandbox.port;
    await sandbox.stop();
    expect(sandbox.running).toBe(false);
    const down = await stripe.paymentIntents.retrieve(pi.id).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    await sandbox.start();
    expect(sandbox.port).toBe(port);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('faults are also armed over HTTP at /sandbox/faults (for manual runs) and cleared', async () => {
    const armed = await raw(sandbox, 'POST', '/sandbox/faults', JSON.stringify({ path: '/v1/transfers', status: 503, count: 2 }), { 'Content-Type': 'application/json' });
    expect(armed.json).toMatchObject({ requests: [{ pattern: '/v1/transfers', status: 503, remaining: 2 }] });
    await expect(stripe.transfers.list()).rejects.toMatchObject({ statusCode: 503, type: 'StripeAPIError' });
    await raw(sandbox, 'DELETE', '/sandbox/faults');
    expect((await stripe.transfers.list()).object).toBe('list');
    sandbox.faults.failNext(/payment_intents/, { count: Infinity });
    await expect(stripe.paymentIntents.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    sandbox.faults.clear();
    expect((await stripe.paymentIntents.list()).object).toBe('list');
  });
});

describe('Stripe sandbox: state file', () => {
  it('keeps objects and idempotency keys across a restart (written atomically on change)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-sandbox-'));
    const stateFile = join(dir, 'nested', 'stripe-sandbox.json');
    try {
      const first = await startSandbox({ stateFile });
      const pi = await paidIntent(sandboxStripe(first), 9000, 'req_persist');
      const keyed = await sandboxStripe(first).paymentIntents.create({ amount: 5000, currency: 'usd' }, { idempotencyKey: 'pi:esc_persist' });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the debounced write
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).paymentIntents).toHaveLength(2);
      await first.close();

      const second = await startSandbox({ stateFile });
      try {
        const stripe = sandboxStripe(second);
        expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
        expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount).toBe(9000);
        expect((await stripe.events.list({ type: 'payment_intent.succeeded' })).data).toHaveLength(1);
        const replayed = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' }, { idempotencyKey: 'pi:esc_persist' });
        expect(replayed.id).toBe(keyed.id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
