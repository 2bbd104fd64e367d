import { JobsService } from '../../src/jobs/jobs.service';
import { createTestDatabase, testConfig } from '../support/test-app';

jest.setTimeout(120_000);

/**
 * Found by `npm run chaos` (F9): two server processes starting at once on a fresh database. Each
 * creates the job queues it handles at boot; pg-boss makes a table partition per queue and
 * attaches it to its job table, and two processes doing that at once deadlocked — one process
 * failed to start with "deadlock detected". Creating the queues now takes turns across processes.
 */
describe('job queues at boot (C5, F9)', () => {
  const QUEUES = Array.from({ length: 12 }, (_, i) => `boot-test.queue-${i}`);

  async function bootTogether(processes: number): Promise<void> {
    const config = testConfig(await createTestDatabase(), { jobs: { pollSeconds: 0.5, workers: false } });
    const services = Array.from({ length: processes }, () => new JobsService(config));
    for (const service of services) for (const name of QUEUES) service.register(name, async () => undefined);
    try {
      const booted = await Promise.allSettled(services.map((s) => s.onApplicationBootstrap()));
      expect(booted.filter((b) => b.status === 'rejected').map((b) => String((b as PromiseRejectedResult).reason))).toEqual([]);
    } finally {
      await Promise.all(services.map((s) => s.beforeApplicationShutdown()));
    }
  }

  it('C5 four processes booting at once on a fresh database all start (queue creation never deadlocks), three times over', async () => {
    for (let round = 0; round < 3; round++) await bootTogether(4);
  });
});
