import type { SandboxState } from './state';

/** What Stripe does "a little later" on its own: a refund failing, a bank deciding a dispute. */
export type TaskKind = 'refund_failure' | 'dispute_outcome';

export interface ScheduledTask {
  id: string;
  kind: TaskKind;
  /** The object it acts on: a refund or dispute id. */
  target: string;
  /** dispute_outcome: `won`, `lost`, `warning_closed` or `escalate`. */
  outcome?: string;
  /** Wall-clock time it runs at (timers use real time even when the sandbox's clock is injected). */
  dueMs: number;
}

/**
 * Runs scheduled tasks after `delayMs`, outside any API request, so a client sees the first
 * answer (a refund `succeeded`, a dispute `under_review`) and only later the change and its
 * webhooks, as with Stripe. Tasks live in the state, so a state file carries them over a restart.
 */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly state: SandboxState,
    private readonly delayMs: number,
    private readonly run: (task: ScheduledTask) => void,
    private readonly log: (line: string) => void,
  ) {}

  schedule(kind: TaskKind, target: string, outcome?: string): void {
    const task: ScheduledTask = { id: this.state.newId('task'), kind, target, dueMs: Date.now() + this.delayMs };
    if (outcome !== undefined) task.outcome = outcome;
    this.state.scheduled.set(task.id, task);
    this.arm(task);
  }

  /** Re-arms the tasks a state file brought back. */
  resume(): void {
    for (const task of this.state.scheduled.values()) if (!this.timers.has(task.id)) this.arm(task);
  }

  /** Resolves once no task is waiting to run. */
  idle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops the timers; unrun tasks stay in the state (and its file) for the next start. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.settle();
  }

  private arm(task: ScheduledTask): void {
    if (this.closed) return;
    const timer = setTimeout(() => this.fire(task.id), Math.max(0, task.dueMs - Date.now()));
    timer.unref();
    this.timers.set(task.id, timer);
  }

  private fire(id: string): void {
    this.timers.delete(id);
    const task = this.state.scheduled.get(id);
    this.state.scheduled.delete(id);
    try {
      if (task) this.run(task);
    } catch (error) {
      this.log(`Stripe sandbox: scheduled ${task?.kind} on ${task?.target} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
    this.state.changed();
    this.settle();
  }

  private settle(): void {
    if (this.timers.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
