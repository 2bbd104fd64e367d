import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export type JobHandler<T> = (data: T, job: { id: string; name: string }) => Promise<void>;

interface Registration {
  name: string;
  handler: JobHandler<never>;
}

export const JOBS_SCHEMA = 'pgboss';
const BATCH_SIZE = 20;
/** Held while a process creates the queues it handles (migrate.ts's lock is its neighbour). */
const QUEUE_CREATION_LOCK = 728_311_005;

/** pg-boss's own default: a job still active after 15 minutes is taken to have died with its process. */
export const DEFAULT_JOB_EXPIRE_SECONDS = 15 * 60;

/**
 * pg-boss options shared by the server and the test template (which pre-installs the schema).
 * `expireSeconds` (JOB_EXPIRE_SECONDS): a job active longer is retried, by any process — the
 * jobs of a killed process wait that long. The sweep that finds them runs every quarter of it
 * (at most every 2 minutes, pg-boss's default).
 */
export function bossOptions(databaseUrl: string, expireSeconds = DEFAULT_JOB_EXPIRE_SECONDS): PgBoss.ConstructorOptions {
  return {
    connectionString: databaseUrl,
    schema: JOBS_SCHEMA,
    max: 4,
    application_name: 'fixbid-jobs',
    retryLimit: 8,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: expireSeconds,
    maintenanceIntervalSeconds: Math.min(120, Math.max(1, Math.floor(expireSeconds / 4))),
    // Recurring jobs are sent by our own loop (sendThrottled), so pg-boss's clock and cron
    // workers are not needed; their stop() leaves timers running after shutdown.
    schedule: false,
  };
}

/** A polling loop that can be woken early and stopped, and says when it has finished. */
class Loop {
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly intervalMs: number, tick: () => Promise<boolean>) {
    this.done = (async () => {
      while (!this.stopping) {
        const busy = await tick();
        if (!busy && !this.stopping) await new Promise<void>((r) => this.sleep(r));
      }
    })();
  }

  private sleep(resolve: () => void): void {
    const timer = setTimeout(() => resolve(), this.intervalMs);
    this.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }
}

/**
 * Durable jobs and timers on PostgreSQL (pg-boss): a job is a row, fetched with SKIP LOCKED by
 * exactly one worker across all server processes, and still there after a restart. Features
 * register handlers in onModuleInit; the loops start once the whole app has bootstrapped.
 * Handlers must be idempotent (lock the row, check the state, then act): a job whose process
 * died is retried after it expires.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly boss: PgBoss;
  private readonly registrations: Registration[] = [];
  private readonly recurring: Array<{ name: string; everySeconds: number }> = [];
  private readonly loops: Loop[] = [];
  private started = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.boss = new PgBoss(bossOptions(config.databaseUrl, config.jobs.expireSeconds));
    this.boss.on('error', (err) => this.logger.error({ err }, 'job runner error'));
  }

  register<T>(name: string, handler: JobHandler<T>): void {
    if (this.started) throw new Error(`register job "${name}" before the application bootstraps`);
    this.registrations.push({ name, handler: handler as JobHandler<never> });
  }

  /**
   * Runs a registered job every `everySeconds`, once per period across all processes (pg-boss
   * throttling by singleton key). Call in onModuleInit, after register(name, ...).
   */
  registerRecurring(name: string, everySeconds: number): void {
    if (this.started) throw new Error(`schedule job "${name}" before the application bootstraps`);
    this.recurring.push({ name, everySeconds });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.createQueues();
    if (!this.config.jobs.workers) return;
    const pollMs = this.config.jobs.pollSeconds * 1000;
    for (const { name, handler } of this.registrations) {
      this.loops.push(new Loop(pollMs, () => this.runBatch(name, handler)));
    }
    for (const { name, everySeconds } of this.recurring) {
      this.loops.push(
        new Loop(Math.min(everySeconds * 1000, 60_000), async () => {
          await this.boss.sendThrottled(name, {}, {}, everySeconds, name).catch((err) => this.logger.error({ err, job: name }, 'recurring send failed'));
          return false;
        }),
      );
    }
  }

  /**
   * The queues this process handles, made once per database. pg-boss attaches a table partition
   * per new queue, and processes starting together on a fresh database deadlocked doing it: they
   * take turns under an advisory lock (a restart, finding every queue there, takes none).
   */
  private async createQueues(): Promise<void> {
    const existing = new Set((await this.boss.getQueues()).map((q) => q.name));
    const missing = this.registrations.map((r) => r.name).filter((name) => !existing.has(name));
    if (missing.length === 0) return;
    const lock = new Client({ connectionString: this.config.databaseUrl, application_name: 'fixbid-jobs' });
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [QUEUE_CREATION_LOCK]);
      for (const name of missing) await this.boss.createQueue(name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [QUEUE_CREATION_LOCK]).catch(() => undefined);
      await lock.end();
    }
  }

  /**
   * Fetches a batch (SKIP LOCKED: no other process gets these jobs) and runs each job on its
   * own: a failure fails only that job, which pg-boss retries with backoff. A full batch means
   * more may be waiting, so the loop fetches again at once. Returns whether it was busy.
   */
  private async runBatch(name: string, handler: JobHandler<never>): Promise<boolean> {
    let jobs: PgBoss.Job<never>[];
    try {
      jobs = await this.boss.fetch<never>(name, { batchSize: BATCH_SIZE });
    } catch (err) {
      this.logger.error({ err, job: name }, 'job fetch failed');
      return false;
    }
    const completed: string[] = [];
    const failed: string[] = [];
    for (const job of jobs) {
      try {
        await handler(job.data, { id: job.id, name: job.name });
        completed.push(job.id);
      } catch (err) {
        this.logger.error({ err, job: name, jobId: job.id }, 'job failed; it will be retried');
        failed.push(job.id);
      }
    }
    try {
      if (completed.length) await this.boss.complete(name, completed);
      if (failed.length) await this.boss.fail(name, failed);
    } catch (err) {
      // The jobs stay active and expire into a retry: handlers are idempotent.
      this.logger.error({ err, job: name }, 'could not record job results');
    }
    return jobs.length === BATCH_SIZE;
  }

  /**
   * Stops before any module's onApplicationShutdown: the batches in hand finish while the
   * TypeORM pool they use is still open (TypeORM closes it in its own onApplicationShutdown,
   * in an order between modules that Nest does not promise), then pg-boss's pool closes. So a
   * stop never cuts a job off from the database. Jobs scheduled by requests still in flight
   * are unaffected: scheduleInTransaction writes through the caller's transaction.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
    this.loops.length = 0;
    if (this.started) await this.boss.stop({ graceful: false, wait: true });
    this.started = false;
  }

  /** The same stop, for a context closed without the before-shutdown hook; a no-op after it. */
  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
  }

  /**
   * Schedules a job inside the caller's open transaction, so the job exists if and only if the
   * state change that needs it commits. `key` dedupes: one pending job per key.
   */
  async scheduleInTransaction(em: EntityManager, name: string, data: object, startAfter: Date, key?: string): Promise<void> {
    const db = { executeSql: async (text: string, values: unknown[]) => ({ rows: (await em.query(text, values)) as unknown[] }) };
    await this.boss.send(name, data, { startAfter, singletonKey: key, db });
  }
}
