/**
 * What Stripe promises about webhook delivery — at least once, in no particular order — played
 * out on purpose: some events are delivered twice, some held back so later ones overtake them,
 * some swapped with the event after them. The choices come from a seeded generator, so a run's
 * pattern of faults can be asked for again (the timing of a busy run around it still varies).
 */
export interface WebhookChaosOptions {
  /** Seed of the choices (any integer). */
  seed: number;
  /** Share of events (0..1) delivered a second time, a random while after the first. */
  duplicate?: number;
  /** Share of events (0..1) held back before their first attempt, by up to `maxDelayMs`. */
  delay?: number;
  /** Share of events (0..1) that change places with the event queued after them. */
  reorder?: number;
  /** The longest hold-back, and the longest wait before a copy goes (default 1000 ms). */
  maxDelayMs?: number;
}

/** What the chaos did so far. */
export interface WebhookChaosCounts {
  duplicated: number;
  delayed: number;
  reordered: number;
}

/** The choices for one event. */
export interface EventChaos {
  /** Milliseconds to hold the first attempt back (0: queue it now). */
  delayMs: number;
  /** Milliseconds after the first attempt before a copy goes, or null for no copy. */
  copyAfterMs: number | null;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WebhookChaos {
  readonly counts: WebhookChaosCounts = { duplicated: 0, delayed: 0, reordered: 0 };
  /** Two streams: which events are held back or copied depends only on the seed and their order; swaps also on timing. */
  private readonly eventRandom: () => number;
  private readonly swapRandom: () => number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WebhookChaosOptions) {
    for (const share of ['duplicate', 'delay', 'reorder'] as const) {
      const value = options[share] ?? 0;
      if (!(value >= 0 && value <= 1)) throw new Error(`webhookChaos.${share} must be between 0 and 1, not ${value}`);
    }
    this.eventRandom = seededRandom(options.seed);
    this.swapRandom = seededRandom(options.seed ^ 0x9e3779b9);
    this.maxDelayMs = options.maxDelayMs ?? 1000;
  }

  /** Decided when the event is queued: hold it back, and/or send it twice. */
  forEvent(): EventChaos {
    // Three draws per event whatever the shares: the n-th event's choices depend on the seed alone.
    const [delayDraw, copyDraw, wait] = [this.eventRandom(), this.eventRandom(), this.eventRandom()];
    const delayed = delayDraw < (this.options.delay ?? 0);
    const copied = copyDraw < (this.options.duplicate ?? 0);
    if (delayed) this.counts.delayed += 1;
    if (copied) this.counts.duplicated += 1;
    return {
      delayMs: delayed ? 1 + Math.floor(wait * this.maxDelayMs) : 0,
      copyAfterMs: copied ? Math.floor((1 - wait) * this.maxDelayMs) : null,
    };
  }

  /** Decided when the next event is taken from the queue: true to send the one after it first. */
  swapWithNext(): boolean {
    const swap = this.swapRandom() < (this.options.reorder ?? 0);
    if (swap) this.counts.reordered += 1;
    return swap;
  }
}
