import { seededRandom, WebhookChaos } from './webhook-chaos';

describe('webhook chaos (F9: duplicated, delayed and reordered deliveries, repeatable by seed)', () => {
  const decisions = (chaos: WebhookChaos, events: number) => Array.from({ length: events }, () => chaos.forEvent());

  it('the same seed makes the same choices for the same events; another seed other choices', () => {
    const options = { seed: 42, duplicate: 0.3, delay: 0.3, maxDelayMs: 500 };
    const first = decisions(new WebhookChaos(options), 200);
    expect(decisions(new WebhookChaos(options), 200)).toEqual(first);
    expect(decisions(new WebhookChaos({ ...options, seed: 43 }), 200)).not.toEqual(first);
  });

  it('holds back and copies about the share asked for, within maxDelayMs, and counts what it did', () => {
    const chaos = new WebhookChaos({ seed: 7, duplicate: 0.2, delay: 0.4, maxDelayMs: 300 });
    const made = decisions(chaos, 2000);
    const delayed = made.filter((d) => d.delayMs > 0);
    const copied = made.filter((d) => d.copyAfterMs !== null);
    expect(delayed.length / 2000).toBeCloseTo(0.4, 1);
    expect(copied.length / 2000).toBeCloseTo(0.2, 1);
    expect(Math.max(...made.map((d) => d.delayMs))).toBeLessThanOrEqual(300);
    expect(Math.max(...copied.map((d) => d.copyAfterMs as number))).toBeLessThanOrEqual(300);
    expect(chaos.counts).toMatchObject({ delayed: delayed.length, duplicated: copied.length, reordered: 0 });
  });

  it('with no shares it changes nothing; swaps follow the reorder share', () => {
    const calm = new WebhookChaos({ seed: 1 });
    expect(decisions(calm, 100).every((d) => d.delayMs === 0 && d.copyAfterMs === null)).toBe(true);
    expect(Array.from({ length: 100 }, () => calm.swapWithNext()).some(Boolean)).toBe(false);
    const shuffling = new WebhookChaos({ seed: 1, reorder: 0.5 });
    const swaps = Array.from({ length: 1000 }, () => shuffling.swapWithNext()).filter(Boolean).length;
    expect(swaps / 1000).toBeCloseTo(0.5, 1);
    expect(shuffling.counts.reordered).toBe(swaps);
  });

  it('refuses a share outside 0..1', () => {
    expect(() => new WebhookChaos({ seed: 1, duplicate: 1.5 })).toThrow('webhookChaos.duplicate must be between 0 and 1');
    expect(() => new WebhookChaos({ seed: 1, delay: -0.1 })).toThrow('webhookChaos.delay');
  });

  it('seededRandom is deterministic and stays in [0, 1)', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
