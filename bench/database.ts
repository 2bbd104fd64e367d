import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startScratchPostgres } from '../src/database/embedded-postgres';

export const BENCH_DATABASE = 'fixbid_bench';

export interface BenchDatabase {
  /** URL of the (fresh) fixbid_bench database. */
  url: string;
  label: string;
  /** CPU seconds the PostgreSQL server has used so far, when it runs here (embedded); else undefined. */
  cpuSeconds(): number | undefined;
  /**
   * Runs `work` with autovacuum off, on the embedded cluster only (never on a server named by
   * BENCH_DATABASE_URL): during the seed it would vacuum tables the seed is still building.
   */
  withoutAutovacuum<T>(work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

async function setAutovacuum(adminUrl: string, on: boolean): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(on ? `ALTER SYSTEM RESET autovacuum` : `ALTER SYSTEM SET autovacuum = off`);
    await admin.query(`SELECT pg_reload_conf()`);
  } finally {
    await admin.end();
  }
}

const CLOCK_TICKS = 100;

/**
 * utime + stime of the postmaster and its children (the backends serving the app), from /proc.
 * Other clusters on the machine (tests running next to the bench) are not counted.
 */
function clusterCpuSeconds(dataDir: string): number | undefined {
  try {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // Fields after the parenthesised command: state ppid ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

interface Server {
  adminUrl: string;
  label: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** A throwaway cluster with buffers large enough to hold the seeded tables. */
async function startEmbedded(): Promise<Server> {
  const cluster = await startScratchPostgres('bench', [
    '-c', 'max_connections=300',
    '-c', 'shared_buffers=512MB',
    '-c', 'max_wal_size=8GB',
    '-c', 'checkpoint_timeout=30min',
    // The seed's bulk load truncates and fills in one transaction; at this level those rows
    // skip the WAL (half of a heap insert's cost). Nothing here replicates.
    '-c', 'wal_level=minimal',
    '-c', 'max_wal_senders=0',
  ]);
  return {
    adminUrl: cluster.adminUrl,
    label: `embedded PostgreSQL (temp dir, fsync off) on 127.0.0.1:${cluster.port}`,
    cpuSeconds: () => clusterCpuSeconds(cluster.dataDir),
    stop: () => cluster.stop(),
  };
}

/**
 * BENCH_DATABASE_URL names a server to use (any database on it: fixbid_bench is dropped and
 * created next to it); otherwise an embedded one is started and removed afterwards.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const given = process.env.BENCH_DATABASE_URL;
  const server: Server = given
    ? {
        adminUrl: given,
        label: `BENCH_DATABASE_URL ${new URL(given).host}`,
        // That server's data directory, when it runs on this machine, lets the bench read its CPU time.
        cpuSeconds: () => (process.env.BENCH_PG_DATA_DIR ? clusterCpuSeconds(process.env.BENCH_PG_DATA_DIR) : undefined),
        stop: async () => undefined,
      }
    : await startEmbedded();
  try {
    const admin = new Client({ connectionString: server.adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${BENCH_DATABASE}"`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  const withoutAutovacuum = async <T>(work: () => Promise<T>): Promise<T> => {
    if (given) return work();
    await setAutovacuum(server.adminUrl, false);
    try {
      return await work();
    } finally {
      await setAutovacuum(server.adminUrl, true);
    }
  };
  return { url: url.toString(), label: server.label, cpuSeconds: server.cpuSeconds, withoutAutovacuum, stop: server.stop };
}
