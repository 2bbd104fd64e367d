import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { sandboxStripe } from '../support/stripe';
import { eventTypesFor, hook, paidIntent, raw, startSandbox, WebhookReceiver } from './support';

/** Refunds that do not reach the customer: failed later by the card network, or refused at once. */
describe('Stripe sandbox: refunds that fail', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    sandbox = await startSandbox({ asyncDelayMs: 30, webhookUrl: await receiver.start() });
    stripe = sandboxStripe(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('M7 pm_card_refundFail: the refund answers succeeded, then fails (expired_or_canceled_card) and the charge gets the money back', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'usd', payment_method: 'pm_card_refundFail', confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 }, { idempotencyKey: 'refund:d-fail' });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 4000 });
    expect(refund).not.toHaveProperty('failure_reason');
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(4000);

    await sandbox.webhooksIdle();
    const failed = await stripe.refunds.retrieve(refund.id);
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    const txn = await stripe.balanceTransactions.retrieve(failed.failure_balance_transaction as string);
    expect(txn).toMatchObject({ amount: 4000, type: 'refund_failure', source: refund.id });
    expect(await stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ amount_refunded: 0, refunded: false });

    expect(await eventTypesFor(stripe, refund.id)).toEqual(['refund.created', 'charge.refund.updated', 'refund.updated', 'refund.failed']);
    const [updated] = (await stripe.events.list({ type: 'charge.refund.updated' })).data.filter((e) => (e.data.object as Stripe.Refund).id === refund.id);
    expect(updated.data).toMatchObject({ object: { object: 'refund', status: 'failed' }, previous_attributes: { status: 'succeeded' } });
    // The failure was delivered to the webhook endpoint like any event.
    const delivered = receiver.received.map((h) => JSON.parse(h.body) as Stripe.Event).filter((e) => (e.data.object as { id: string }).id === refund.id);
    expect(delivered.map((e) => e.type)).toEqual(['refund.created', 'charge.refund.updated', 'refund.updated', 'refund.failed']);

    // The same key replays the first answer (succeeded, as it was sent); a new key refunds again.
    expect((await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 }, { idempotencyKey: 'refund:d-fail' })).status).toBe('succeeded');
    const retry = await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 }, { idempotencyKey: 'refund:d-fail:2' });
    expect(retry.id).not.toBe(refund.id);
  });

  it('M7 any refund can be failed by the test hook, at once; a failed refund cannot fail twice', async () => {
    const pi = await paidIntent(stripe, 5000, 'req_hook_fail');
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    const failed = await hook(sandbox, `/sandbox/refunds/${refund.id}/fail`, { failure_reason: 'lost_or_stolen_card' });
    expect(failed.json).toMatchObject({ id: refund.id, status: 'failed', failure_reason: 'lost_or_stolen_card' });
    expect((await hook(sandbox, `/sandbox/refunds/${refund.id}/fail`)).status).toBe(400);
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.status)).toEqual(['failed']);
  });

  it('M7 refuseNext: Stripe refuses the refund outright; the refusal is kept under the key, a new key goes through', async () => {
    const pi = await paidIntent(stripe, 5000, 'req_refused');
    sandbox.faults.refuseNext('POST /v1/refunds', { code: 'charge_not_refundable', message: 'This charge cannot be refunded.' });
    const refused = await stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund:d-refused' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refused).toMatchObject({ statusCode: 400, code: 'charge_not_refundable', message: 'This charge cannot be refunded.' });
    const replayed = (await stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund:d-refused' }).catch((e: unknown) => e)) as { headers: Record<string, string> };
    expect(replayed).toMatchObject({ code: 'charge_not_refundable' });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(0);
    expect((await stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund:d-refused:2' })).status).toBe('succeeded');
    expect(sandbox.faults.pending().refusals).toEqual([]);
  });

  it('refusals are armed over HTTP too (POST /sandbox/faults with refuse_code) and cleared with the rest', async () => {
    const armed = await raw(sandbox, 'POST', '/sandbox/faults', JSON.stringify({ path: 'POST /v1/refunds', refuse_code: 'charge_not_refundable', count: 2 }), { 'Content-Type': 'application/json' });
    expect(armed.json).toMatchObject({ refusals: [{ pattern: 'POST /v1/refunds', status: 400, code: 'charge_not_refundable', remaining: 2 }] });
    await raw(sandbox, 'DELETE', '/sandbox/faults');
    const pi = await paidIntent(stripe, 5000, 'req_refused_http');
    expect((await stripe.refunds.create({ payment_intent: pi.id })).status).toBe('succeeded');
  });
});

describe('Stripe sandbox: a pending failure survives a restart', () => {
  it('M7 the state file keeps the scheduled failure; the next sandbox carries it out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-sandbox-task-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startSandbox({ stateFile, asyncDelayMs: 300 });
      const client = sandboxStripe(first);
      const pi = await client.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_refundFail', confirm: true });
      const refund = await client.refunds.create({ payment_intent: pi.id });
      await first.close();
      const second = await startSandbox({ stateFile });
      try {
        await second.webhooksIdle();
        expect((await sandboxStripe(second).refunds.retrieve(refund.id)).status).toBe('failed');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
