import { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { BeforeQueryEvent } from 'typeorm/subscriber/event/QueryEvent';

/** One database transaction as the app ran it: the statements between BEGIN and COMMIT/ROLLBACK. */
export interface RecordedTransaction {
  statements: string[];
  parameters: unknown[][];
  outcome: 'commit' | 'rollback';
}

/**
 * Records every transaction the app's DataSource runs (statements between START TRANSACTION and
 * COMMIT/ROLLBACK, those two left out), so a spec can count the round trips a use case costs.
 * It listens through TypeORM's subscriber hook (beforeQuery), so every statement sent through
 * an EntityManager — the ORM's, raw em.query(), and pg-boss's send inside a transaction — counts.
 */
export class StatementRecorder implements EntitySubscriberInterface {
  private readonly open = new Map<QueryRunner, { statements: string[]; parameters: unknown[][] }>();
  readonly transactions: RecordedTransaction[] = [];
  /** Every statement sent through the DataSource, in a transaction or not (a read's round trips). */
  readonly all: string[] = [];

  static attach(ds: DataSource): StatementRecorder {
    const recorder = new StatementRecorder();
    (ds.subscribers as EntitySubscriberInterface[]).push(recorder);
    return recorder;
  }

  detach(ds: DataSource): void {
    const list = ds.subscribers as EntitySubscriberInterface[];
    const at = list.indexOf(this);
    if (at >= 0) list.splice(at, 1);
  }

  beforeQuery(event: BeforeQueryEvent): void {
    const sql = event.query.trim();
    this.all.push(sql);
    if (sql === 'START TRANSACTION') {
      this.open.set(event.queryRunner, { statements: [], parameters: [] });
      return;
    }
    const current = this.open.get(event.queryRunner);
    if (!current) return;
    if (sql === 'COMMIT' || sql === 'ROLLBACK') {
      this.open.delete(event.queryRunner);
      this.transactions.push({ ...current, outcome: sql === 'COMMIT' ? 'commit' : 'rollback' });
      return;
    }
    current.statements.push(sql);
    current.parameters.push(Array.isArray(event.parameters) ? event.parameters : []);
  }

  /**
   * The statements one run of `request` sends, counted over `tries` runs and the fewest kept:
   * background work (the webhook sender, the rate-limit flush, jobs) shares the DataSource and
   * only ever adds to a run, so the fewest is the request's own — and a request that really sent
   * two statements sends two in every run.
   */
  async fewestDuring(request: () => Promise<unknown>, tries = 3): Promise<string[]> {
    let fewest: string[] | undefined;
    for (let i = 0; i < tries; i++) {
      this.reset();
      await request();
      const sent = [...this.all];
      if (!fewest || sent.length < fewest.length) fewest = sent;
    }
    return fewest!;
  }

  /** Forget what was recorded so far (open transactions keep recording). */
  reset(): void {
    this.transactions.length = 0;
    this.all.length = 0;
  }

  /** Committed transactions whose statements match `pattern` somewhere (SQL or parameters). */
  committedMatching(pattern: RegExp): RecordedTransaction[] {
    return this.transactions.filter(
      (t) => t.outcome === 'commit' && (t.statements.some((s) => pattern.test(s)) || t.parameters.some((p) => p.some((v) => typeof v === 'string' && pattern.test(v)))),
    );
  }
}
