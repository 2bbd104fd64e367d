import type { RequestContext } from './context';
import { decideDispute, DisputeOutcome } from './dispute-lifecycle';
import type { ScheduledTask } from './scheduler';

/** Carries out a scheduled change; an object that moved on meanwhile is left as it is. */
export function runTask(ctx: RequestContext, task: ScheduledTask): void {
  const dispute = ctx.state.disputes.get(task.target);
  if (dispute && task.outcome) decideDispute(ctx, dispute, task.outcome as DisputeOutcome);
}
