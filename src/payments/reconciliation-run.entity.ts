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
}
