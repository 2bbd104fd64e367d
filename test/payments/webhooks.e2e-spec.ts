import Stripe from 'stripe';
import { PaymentFaults } from '../../src/payments/payment-faults';
import { makeAdmin, TestUser } from '../support/factories';
import { acceptedDeal, Deal, fundedDeal, onboard, pay, releaseDeal, startOnboarding } from '../support/deals';
import { escrowRow, eventTypes, ledgerReport, ledgerTxnCount, waitForEscrow } from '../support/inspect';
import { openOnboardingLink, platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

/** POST /v1/webhooks/stripe: signatures (W1, B8, F8), at most once (W2, R3, F4), order (W3). */
describe('payments: Stripe webhooks', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const secret = () => t.config.stripe.webhookSecret as string;
  const sign = (payload: string, timestamp = Math.floor(Date.now() / 1000), key = secret()) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });
  const post = (payload: string, signature?: string) => {
    const req = t.http.post('/v1/webhooks/stripe').set('content-type', 'application/json');
    if (signature !== undefined) req.set('stripe-signature', signature);
    return req.send(payload);
  };
  const appliedEvents = async (id: string) => Number((await t.ds.query(`SELECT count(*) FROM stripe_events WHERE id = $1 AND status = 'applied'`, [id]))[0].count);
  const storedEvents = async (id: string) => Number((await t.ds.query(`SELECT count(*) FROM stripe_events WHERE id = $1`, [id]))[0].count);

  /** The escrow, its request, ledger entries and bids in a comparable form (for "same final state" checks). */
  async function moneyState(escrowId: string): Promise<Record<string, unknown>> {
    const escrow = await escrowRow(t, escrowId);
    const request = (await t.ds.query(`SELECT status, funded_at IS NOT NULL AS funded FROM help_requests WHERE id = $1`, [escrow.request_id]))[0];
    const entries = (await t.ds.query(`SELECT kind, account, amount::int AS amount FROM ledger_entries WHERE escrow_id = $1 ORDER BY kind, account`, [escrowId])) as unknown[];
    const bids = (await t.ds.query(`SELECT status FROM bids WHERE request_id = $1 ORDER BY status`, [escrow.request_id])) as unknown[];
    return {
      escrow: { status: escrow.status, payout: escrow.payout_status, refunded: escrow.refunded_amount, frozen: escrow.frozen, charged: Boolean(escrow.charge_id) },
      request,
      entries,
      bids,
    };
  }

  /** An accepted deal paid at Stripe whose payment_intent.succeeded was never delivered; its raw payload to post ourselves. */
  async function paidButUndelivered(amount = 1500): Promise<{ deal: Deal; event: Stripe.Event; payload: string }> {
    const deal = await acceptedDeal(t, { amount: amount, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.dropWebhooks('payment_intent.succeeded');
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    const events = await platformStripe(t).events.list({ type: 'payment_intent.succeeded', limit: 100 });
    const event = events.data.find((e) => (e.data.object as Stripe.PaymentIntent).id === deal.paymentIntentId) as Stripe.Event;
    return { deal, event, payload: JSON.stringify(event, null, 2) };
  }

  it('B8 W1 a missing or wrong signature, or a re-serialized body → 400 invalid_signature in the envelope; nothing changes', async () => {
    const { deal, event, payload } = await paidButUndelivered();
    const cases = [
      await post(payload),
      await post(payload, ''),
      await post(payload, sign(payload, undefined, 'whsec_not_the_secret')),
      await post(payload, 't=123,v1=deadbeef'),
      await post(JSON.stringify(JSON.parse(payload)), sign(payload)),
      await post(payload.replace(`"amount": ${deal.amount}`, '"amount": 1'), sign(payload)),
    ];
    for (const res of cases) {
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'invalid_signature', param: 'Stripe-Signature' });
      expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    }
    expect(await storedEvents(event.id)).toBe(0);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'requires_payment' });
  });

  it('F8 a signature 301 s old or 301 s ahead → 400, nothing changes; 295 s old is accepted and applied', async () => {
    const { deal, event, payload } = await paidButUndelivered();
    const now = () => Math.floor(Date.now() / 1000);
    expect((await post(payload, sign(payload, now() - 301))).status).toBe(400);
    expect((await post(payload, sign(payload, now() + 301))).status).toBe(400);
    expect(await storedEvents(event.id)).toBe(0);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'requires_payment' });
    // Inside the window (a margin below 300 s, so a slow run cannot tick it over the edge).
    const ok = await post(payload, sign(payload, now() - 295));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ received: true, duplicate: false, ignored: false });
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
  });

  it('an unknown event type → 200 and nothing is stored or changed', async () => {
    const payload = JSON.stringify({ id: 'evt_unknown_type_1', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_1', object: 'customer' } } });
    const res = await post(payload, sign(payload));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, duplicate: false, ignored: true });
    expect(await storedEvents('evt_unknown_type_1')).toBe(0);
  });

  it('R3 W2 the same payment_intent.succeeded posted ×5 at once → one funding, one ledger transaction, one escrow.funded', async () => {
    const { deal, event, payload } = await paidButUndelivered(2500);
    const signature = sign(payload);
    const results = await Promise.all(Array.from({ length: 5 }, () => post(payload, signature)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
    expect(await storedEvents(event.id)).toBe(1);
    await waitFor('event applied', async () => (await appliedEvents(event.id)) === 1);
    expect(await ledgerTxnCount(t, deal.requestId, 'funding')).toBe(1);
    expect((await eventTypes(t, deal.requestId, 'escrow.funded')).length).toBe(1);
    expect((await eventTypes(t, deal.requestId, 'bid.rejected')).length).toBe(1);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('F4 a throw while the event is applied rolls the effect back; its job applies it once (the delivery was answered 200 already)', async () => {
    const deal = await acceptedDeal(t, { amount: 1800, onboarded: false, otherBidders: 1 });
    t.app.get(PaymentFaults).arm('webhook_after_apply');
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
    const deliveries = t.sandbox.webhookDeliveries().filter((d) => d.type === 'payment_intent.succeeded');
    const last = deliveries[deliveries.length - 1];
    expect(deliveries.filter((d) => d.eventId === last.eventId).map((d) => [d.attempt, d.status])).toEqual([[1, 200]]);
    expect(await appliedEvents(last.eventId)).toBe(1);
    expect(await ledgerTxnCount(t, deal.requestId, 'funding')).toBe(1);
    expect((await eventTypes(t, deal.requestId, 'escrow.funded')).length).toBe(1);
  });

  it('W4 the receiver answers without asking Stripe: with Stripe unreachable the event is stored (200) and applied once Stripe answers again', async () => {
    const { deal, event, payload } = await paidButUndelivered(2700);
    t.sandbox.faults.failNext('/v1/payment_intents/', { status: 500, count: 3 });
    const started = Date.now();
    const res = await post(payload, sign(payload));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await storedEvents(event.id)).toBe(1);
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
    expect(await appliedEvents(event.id)).toBe(1);
    expect(await ledgerTxnCount(t, deal.requestId, 'funding')).toBe(1);
  });

  it('W3 a stale payment_intent.payment_failed arriving after the success re-reads the PaymentIntent and changes nothing', async () => {
    const deal = await acceptedDeal(t, { amount: 1300, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.dropWebhooks('payment_intent.payment_failed');
    await pay(t, deal.paymentIntentId, deal.clientSecret, 'pm_card_chargeDeclined').catch(() => undefined);
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
    const [failed] = (await platformStripe(t).events.list({ type: 'payment_intent.payment_failed', limit: 100 })).data.filter(
      (e) => (e.data.object as Stripe.PaymentIntent).id === deal.paymentIntentId,
    );
    const delivery = await t.sandbox.resendEvent(failed.id);
    expect(delivery.status).toBe(200);
    await waitFor('stale event applied', async () => (await appliedEvents(failed.id)) === 1);
    expect((await eventTypes(t, deal.requestId, 'escrow.payment_failed')).length).toBe(0);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held' });
  });

  it('every webhook of a full flow delivered three times and in reverse order → the same final state and ledger as in order', async () => {
    const control = await fundedDeal(t, { amount: 3300, onboarded: false, otherBidders: 1 });
    await onboard(t, control.expert);
    await releaseDeal(t, control);
    await waitForEscrow(t, control.escrowId, { payout_status: 'paid' });

    const before = new Set((await platformStripe(t).events.list({ limit: 100 })).data.map((e) => e.id));
    t.sandbox.faults.dropWebhooks('*', Number.POSITIVE_INFINITY);
    const deal = await acceptedDeal(t, { amount: 3300, onboarded: false, otherBidders: 1 });
    await openOnboardingLink(await startOnboarding(t, deal.expert));
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    const flowEvents = async () => (await platformStripe(t).events.list({ limit: 100 })).data.filter((e) => !before.has(e.id));
    const redeliver = async (events: Stripe.Event[]) => {
      for (let round = 0; round < 3; round++) {
        for (const event of events) expect((await t.sandbox.resendEvent(event.id)).status).toBe(200);
      }
    };
    // Newest first: payment_intent.succeeded before charge.succeeded before payment_intent.created.
    await redeliver(await flowEvents());
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held' });
    await releaseDeal(t, deal);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    await redeliver(await flowEvents());
    t.sandbox.faults.clear();

    expect(await moneyState(deal.escrowId)).toEqual(await moneyState(control.escrowId));
    expect((await platformStripe(t).transfers.list({ transfer_group: deal.requestId })).data).toHaveLength(1);
    expect((await eventTypes(t, deal.requestId, 'escrow.funded')).length).toBe(1);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });
});
