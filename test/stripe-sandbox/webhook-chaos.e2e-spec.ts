import Stripe from 'stripe';
import type { StripeSandbox, StripeSandboxOptions } from '../../src/stripe-sandbox';
import { sandboxStripe } from '../support/stripe';
import { startSandbox, WEBHOOK_SECRET, WebhookReceiver } from './support';

/**
 * F9's webhook side: with `webhookChaos` the sandbox delivers some events twice, late, or ahead
 * of the event before them — each delivery still signed and verifiable — and nothing is lost.
 * Which events are copied or held back depends on the seed alone.
 */
describe('Stripe sandbox: webhook chaos (F9)', () => {
  let receiver: WebhookReceiver;
  let sandbox: StripeSandbox | undefined;

  beforeEach(() => {
    receiver = new WebhookReceiver();
  });
  afterEach(async () => {
    await sandbox?.close();
    await receiver.close();
  });

  /** 25 PaymentIntents made one after another: 25 payment_intent.created events, in a known order. */
  async function run(chaos: StripeSandboxOptions['webhookChaos']): Promise<{ created: string[]; stripe: Stripe }> {
    sandbox = await startSandbox({ webhookUrl: await receiver.start(), webhookChaos: chaos });
    const stripe = sandboxStripe(sandbox);
    for (let i = 0; i < 25; i++) await stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd' });
    await sandbox.webhooksIdle();
    const created = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id).reverse();
    return { created, stripe };
  }

  const receivedIds = () => receiver.received.map((hook) => (JSON.parse(hook.body) as { id: string }).id);

  it('F9 duplicates, delays and reorders deliveries; every event arrives, each delivery verifies, the counts add up', async () => {
    const { created, stripe } = await run({ seed: 9, duplicate: 0.3, delay: 0.3, reorder: 0.3, maxDelayMs: 150 });
    const counts = sandbox!.webhookChaos();
    expect(counts.duplicated).toBeGreaterThan(0);
    expect(counts.delayed).toBeGreaterThan(0);
    expect(counts.reordered).toBeGreaterThan(0);

    const ids = receivedIds();
    expect(new Set(ids)).toEqual(new Set(created));
    expect(ids).toHaveLength(created.length + counts.duplicated);
    // First arrivals are not in creation order any more.
    const firstArrivals = ids.filter((id, index) => ids.indexOf(id) === index);
    expect(firstArrivals).not.toEqual(created);
    for (const hook of receiver.received) expect(() => stripe.webhooks.constructEvent(hook.body, hook.signature, WEBHOOK_SECRET)).not.toThrow();

    const deliveries = sandbox!.webhookDeliveries();
    expect(deliveries.filter((d) => d.chaos === 'duplicate')).toHaveLength(counts.duplicated);
    expect(deliveries.filter((d) => d.chaos === 'reordered')).toHaveLength(counts.reordered);
    expect(deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
  });

  it('F9 the same seed copies and holds back the same events (by their order); no chaos delivers each once, in order', async () => {
    const chaos = { seed: 2024, duplicate: 0.4, delay: 0.4, maxDelayMs: 60 };
    const first = await run(chaos);
    const copiedFirst = first.created.map((id) => receivedIds().filter((r) => r === id).length);
    await sandbox!.close();
    await receiver.close();

    receiver = new WebhookReceiver();
    const second = await run(chaos);
    const copiedSecond = second.created.map((id) => receivedIds().filter((r) => r === id).length);
    expect(copiedSecond).toEqual(copiedFirst);
    expect(copiedFirst.some((n) => n === 2)).toBe(true);
    await sandbox!.close();
    await receiver.close();

    receiver = new WebhookReceiver();
    const calm = await run(undefined);
    expect(receivedIds()).toEqual(calm.created);
    expect(sandbox!.webhookChaos()).toEqual({ duplicated: 0, delayed: 0, reordered: 0 });
  });
});
