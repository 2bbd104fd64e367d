import { Actor, Api } from './api';

export interface Decision {
  outcome: 'release' | 'refund' | 'split' | 'recovered' | 'write_off' | 'retry_refund';
  refundAmount?: number;
}

interface OpenDispute {
  id: string;
  requestId: string;
  kind: string;
  createdAt: string;
}

/** What an admin does with a dispute nobody planned for: the least surprising settlement of its kind. */
const FALLBACK: Record<string, Decision> = {
  customer: { outcome: 'refund' },
  chargeback: { outcome: 'release' },
  warranty: { outcome: 'release' },
  post_payout_chargeback: { outcome: 'write_off' },
  refund_failed: { outcome: 'write_off' },
};

/**
 * The admin working the dispute queue (GET /v1/admin/disputes?status=open, oldest first), as a
 * person would: each job says beforehand how its disputes are to be settled, by kind (a list
 * is used in order, for a kind that can come twice); the desk settles them as they appear. A
 * chargeback Stripe has not decided answers 409 chargeback_open and is tried again later.
 */
export class AdminDesk {
  readonly settled: Array<{ requestId: string; kind: string; outcome: string }> = [];
  readonly unplanned: Array<{ requestId: string; kind: string }> = [];
  readonly refusals: string[] = [];
  private readonly plans = new Map<string, Decision[]>();
  private readonly firstSeen = new Map<string, number>();
  private readonly tries = new Map<string, number>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: Api,
    private readonly admin: Actor,
  ) {}

  plan(requestId: string, kind: string, ...decisions: Decision[]): void {
    this.plans.set(`${requestId} ${kind}`, decisions);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.workQueue().catch((err: unknown) => this.refusals.push(`queue: ${(err as Error).message}`));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async workQueue(): Promise<void> {
    let cursor: string | null = null;
    do {
      const page: { body: { data: OpenDispute[]; nextCursor: string | null } } = await this.api.expect([200], 'GET', `/v1/admin/disputes?status=open&limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        as: this.admin,
      });
      await Promise.all(page.body.data.map((dispute) => this.settle(dispute)));
      cursor = page.body.nextCursor;
    } while (cursor && this.running);
  }

  private async settle(dispute: OpenDispute): Promise<void> {
    const planKey = `${dispute.requestId} ${dispute.kind}`;
    const planned = this.plans.get(planKey);
    let decision = planned?.[0];
    if (!decision) {
      // A chargeback is Stripe's to decide; and a job may still be about to plan the others.
      if (dispute.kind === 'chargeback') return;
      const seen = this.firstSeen.get(dispute.id) ?? Date.now();
      this.firstSeen.set(dispute.id, seen);
      if (Date.now() - seen < 3000) return;
      decision = FALLBACK[dispute.kind];
    }
    // A refusal (409 chargeback_open) is kept under its key and replayed: each new try needs a new key.
    const attempt = (this.tries.get(dispute.id) ?? 0) + 1;
    this.tries.set(dispute.id, attempt);
    const answer = await this.api.call('POST', `/v1/admin/disputes/${dispute.id}/resolve`, { as: this.admin, body: decision, key: `desk:${dispute.id}:${attempt}` });
    const code = (answer.body as { error?: { code?: string } }).error?.code;
    if (answer.status === 200) {
      this.settled.push({ requestId: dispute.requestId, kind: dispute.kind, outcome: decision.outcome });
      if (!planned) this.unplanned.push({ requestId: dispute.requestId, kind: dispute.kind });
      if (planned && planned.length > 1) this.plans.set(planKey, planned.slice(1));
      return;
    }
    // Stripe decides an open chargeback: the admin waits for it.
    if (answer.status === 409 && code === 'chargeback_open') return;
    if (answer.status === 409 && code === 'dispute_not_open') return;
    this.refusals.push(`${dispute.kind} dispute of ${dispute.requestId}: ${decision.outcome} → ${answer.status} ${code ?? ''}`);
  }
}
