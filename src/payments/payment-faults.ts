import { Injectable } from '@nestjs/common';

/**
 * Where a crash is simulated in tests (F1, F4): right after Stripe answered and before our
 * commit, or inside a webhook's transaction after its event id was stored.
 */
export type FaultPoint = 'after_payment_intent_create' | 'after_transfer_create' | 'after_refund_create' | 'webhook_after_apply';

export class SimulatedCrash extends Error {
  constructor(readonly point: FaultPoint) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * Test-only fault injection: unarmed (always, outside tests) it does nothing. Tests arm a point
 * with `t.app.get(PaymentFaults).arm(...)`; the next `count` passes through it throw.
 */
@Injectable()
export class PaymentFaults {
  private readonly armed = new Map<FaultPoint, number>();

  arm(point: FaultPoint, count = 1): void {
    this.armed.set(point, (this.armed.get(point) ?? 0) + count);
  }

  clear(): void {
    this.armed.clear();
  }

  hit(point: FaultPoint): void {
    const left = this.armed.get(point) ?? 0;
    if (left <= 0) return;
    this.armed.set(point, left - 1);
    throw new SimulatedCrash(point);
  }
}
