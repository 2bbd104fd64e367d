import type { RequestContext } from './context';
import { decideDispute, DisputeOutcome } from './dispute-lifecycle';
import { failRefund } from './refunds';
import type { ScheduledTask } from './scheduler';

/** Carries out a scheduled change; an object that moved on meanwhile is left as it is. */
export function runTask(ctx: RequestContext, task: ScheduledTask): void {
  if (task.kind === 'refund_failure') {
    const refund = ctx.state.refunds.get(task.target);
    if (refund) failRefund(ctx, refund, 'expired_or_canceled_card');
    return;
  }
  const dispute = ctx.state.disputes.get(task.target);
  if (dispute && task.outcome) decideDispute(ctx, dispute, task.outcome as DisputeOutcome);
}
