import { DataSource, EntityManager } from 'typeorm';
import { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/** SQLSTATEs that mean "nothing was written, try the whole transaction again". */
const RETRYABLE = new Set(['40001', '40P01']);

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Attempts in all, the first included. */
  attempts?: number;
}

function sqlStateOf(err: unknown): string | undefined {
  return (err as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (err as { code?: string })?.code;
}

export function isRetryableDbError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Transactions started over since this process began, by SQLSTATE: 40001 (serialization) and
 * 40P01 (deadlock). Exported as a metric; the lock-order test expects no deadlock retry at all.
 */
export const transactionRetries: Record<string, number> = { '40001': 0, '40P01': 0 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` in one transaction and retries it from the start on serialization failures and
 * deadlocks (C5), with jittered backoff, so callers never see those as 500s. `work` must not
 * call Stripe or any other network service: it may run more than once.
 */
export async function withTransaction<T>(
  dataSource: DataSource,
  work: (em: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return options.isolation
        ? await dataSource.transaction(options.isolation, work)
        : await dataSource.transaction(work);
    } catch (err) {
      if (!isRetryableDbError(err) || attempt >= attempts) throw err;
      transactionRetries[sqlStateOf(err) as string] += 1;
      await sleep(Math.random() * 20 * 2 ** attempt);
    }
  }
}
