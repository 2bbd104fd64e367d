import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Violation } from './domain/reconciliation';

export type LedgerViolation = Violation;

/** One pass of the reconciliation job: what it repaired and what still disagrees with Stripe (M4). */
@Entity('reconciliation_runs')
@Index('IDX_reconciliation_runs_finished', ['finishedAt'])
export class ReconciliationRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;

  @Column({ type: 'jsonb' })
  repaired!: string[];

  @Column({ type: 'jsonb' })
  violations!: LedgerViolation[];

  /** M4: the newest Stripe `created` this run has seen; the next run lists from there (less a margin). */
  @Column({ type: 'timestamptz', nullable: true })
  watermark!: Date | null;

  /** Where the bounded sweep of unfinished escrows stopped (an escrow id); the next run goes on from there. */
  @Column({ name: 'sweep_cursor', type: 'uuid', nullable: true })
  sweepCursor!: string | null;

  /** Stripe objects this run read (listed or retrieved): what a run costs. */
  @Column({ name: 'stripe_objects', type: 'int', default: 0 })
  stripeObjects!: number;
}
