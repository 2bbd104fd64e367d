import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { portIsFree, ROOT_STATE_DIR } from '../../src/database/embedded-postgres';

/**
 * `npm start` as a newcomer runs it: the compiled server (npm test builds dist/ first) with no
 * DATABASE_URL, so it starts its embedded PostgreSQL under DATA_DIR. All in one file, one server
 * at a time: two fresh starts at once could both pick the usual database port.
 */
const MAIN = resolve(__dirname, '../../dist/src/main.js');
const IS_ROOT = process.getuid?.() === 0;
/** util-linux `script` gives the server a pseudo-terminal, as a person's terminal would. */
const HAS_SCRIPT = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

interface Proc {
  child: ChildProcess;
  /** stdout and stderr, as they arrived. */
  output: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

interface Started extends Proc {
  baseUrl: string;
}

function baseEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    STRIPE_SANDBOX_PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    ...extra,
  };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  delete env.STRIPE_SECRET_KEY;
  return env;
}

/** Servers still running when a test ends (it failed): stopped in afterEach. */
const live = new Set<Proc>();

function watch(child: ChildProcess): Proc {
  let out = '';
  let stdout = '';
  child.stdout!.on('data', (d) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr?.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // A pseudo-terminal ends lines with \r\n.
  const proc = { child, output: () => out.replace(/\r/g, ''), stdout: () => stdout.replace(/\r/g, ''), exited };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

/** The server with stdout and stderr on pipes (JSON logs). */
function run(dataDir: string, extra: Record<string, string> = {}): Proc {
  return watch(spawn(process.execPath, [MAIN], { env: baseEnv(dataDir, extra), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The server on a pseudo-terminal; writing "\x03" to stdin is a Ctrl-C typed at it. */
function runOnTerminal(dataDir: string, extra: Record<string, string> = {}): Proc {
  const command = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`;
  return watch(spawn('script', ['-qfec', command, '/dev/null'], { env: baseEnv(dataDir, extra), stdio: ['pipe', 'pipe', 'pipe'] }));
}

async function ready(proc: Proc): Promise<Started> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /API: +(http:\/\/[^/\s"]+)\/v1/.exec(proc.output());
    if (match) {
      const baseUrl = match[1];
      for (;;) {
        const res = await fetch(`${baseUrl}/health/ready`).catch(() => undefined);
        if (res?.status === 200) return { ...proc, baseUrl };
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${proc.output()}`);
}

const start = (dataDir: string, extra: Record<string, string> = {}) => ready(run(dataDir, extra));

async function stop(s: Proc): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

/** JSON log lines at error level or worse (50 error, 60 fatal). */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function register(baseUrl: string, email: string): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', displayName: 'Keeper', role: 'customer' }),
  });
  return res.status;
}

async function login(baseUrl: string, email: string): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  return res.status;
}

describe('npm start (the compiled server on an embedded PostgreSQL)', () => {
  jest.setTimeout(120_000);
  let dataDir: string;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm test (its pretest builds) or npm run build`);
    dataDir = mkdtempSync(join(tmpdir(), 'fixbid-start-'));
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const proc of live) {
      // SIGTERM stops a server cleanly; `script` hangs up its terminal, which stops the server too.
      proc.child.kill('SIGTERM');
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
      await proc.exited;
      clearTimeout(timer);
    }
  });

  it('starts, answers /health/ready, refuses a second start on the same data, stops cleanly and keeps data', async () => {
    const first = await start(dataDir);
    expect(first.output()).toMatch(/Docs: +http:\/\/\S+\/docs/);
    expect(first.output()).toMatch(/Database: embedded PostgreSQL/);
    expect(first.output()).toMatch(/Payments: SANDBOX/);

    const email = `keep-${Date.now()}@example.com`;
    expect(await register(first.baseUrl, email)).toBe(201);

    const second = run(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already running/);

    expect(await stop(first)).toBe(0);
    expect(existsSync(join(dataDir, 'postgres.runtime.json'))).toBe(false);
    // PostgreSQL is gone too: its pid file is removed on a clean shutdown.
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const again = await start(dataDir);
    expect(await login(again.baseUrl, email)).toBe(200);
    expect(await stop(again)).toBe(0);
  });

  it('on a pipe, logs JSON only; SIGTERM stops the jobs before the database: exit 0, no error logged', async () => {
    const s = await start(dataDir);
    // Let the job loops poll once, so they hold connections when the stop comes.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await stop(s)).toBe(0);
    const lines = s.stdout().split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(s.stdout()).toMatch(/"msg":"SIGTERM received/);
    expect(s.stdout()).toMatch(/"msg":"Stopped"/);
    expect(errorLines(s.output())).toEqual([]);
    expect(s.output()).not.toMatch(/terminating connection/);
  });

  (HAS_SCRIPT ? it : it.skip)('on a terminal: readable lines, no module-loading noise, a short banner; Ctrl-C stops cleanly', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'fixbid-tty-'));
    chmodSync(fresh, 0o755);
    try {
      const s = await ready(runOnTerminal(fresh, { NO_COLOR: '1' }));
      await new Promise((r) => setTimeout(r, 500));
      const shown = s.output();
      expect(shown).not.toMatch(/"level":/);
      expect(shown).not.toMatch(/InstanceLoader|RoutesResolver|RouterExplorer|Nest application/);
      expect(shown).toMatch(/Fixbid is ready/);
      expect(shown).toMatch(/API: +http:\/\/127\.0\.0\.1:\d+\/v1/);
      expect(shown).toMatch(/Docs: +http:\/\/127\.0\.0\.1:\d+\/docs/);
      expect(shown).toMatch(/Database: embedded PostgreSQL at 127\.0\.0\.1:\d+\/fixbid \(data in .*\/pg\)/);
      expect(shown).toMatch(/Payments: SANDBOX — simulated .*no real money moves/);
      expect(shown).toMatch(/Press Ctrl-C to stop/);
      // A fresh data dir: the migrations line, then the banner. (It used to be ~130 lines.)
      expect(shown.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(9);
      expect(shown.split('\n').length).toBeLessThanOrEqual(16);

      const email = `tty-${Date.now()}@example.com`;
      expect(await register(s.baseUrl, email)).toBe(201);

      s.child.stdin!.write('\x03');
      expect(await s.exited).toBe(0);
      expect(s.output()).toMatch(/SIGINT received: stopping the server and the database/);
      expect(s.output()).toMatch(/INFO {2}Fixbid: Stopped/);
      expect(s.output()).not.toMatch(/ERROR|FATAL|terminating connection/);
      expect(existsSync(join(fresh, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  (HAS_SCRIPT ? it : it.skip)('closing the terminal (SIGHUP, then writes fail) stops the server and the database cleanly', async () => {
    const s = await ready(runOnTerminal(dataDir, { NO_COLOR: '1' }));
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'postgres.runtime.json'), 'utf8')) as { pid: number };
    // The terminal goes away: the kernel hangs up the server's session.
    s.child.kill('SIGKILL');
    await s.exited;
    const gone = Date.now() + 30_000;
    while (Date.now() < gone && alive(pid)) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    // A clean stop removes both; a crash (Node aborting on the dead terminal) would leave the first.
    expect(existsSync(join(dataDir, 'postgres.runtime.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('a database that cannot start stops the start with one sentence saying what to do, no stack trace', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'fixbid-broken-'));
    chmodSync(broken, 0o755);
    try {
      // A cluster folder that is not a cluster: PostgreSQL refuses it.
      mkdirSync(join(broken, 'pg'), { mode: 0o700 });
      writeFileSync(join(broken, 'pg', 'PG_VERSION'), '18\n');
      writeFileSync(join(broken, 'postgres.credentials.json'), JSON.stringify({ user: 'fixbid', password: 'x' }));
      const proc = run(broken);
      expect(await proc.exited).toBe(1);
      const lines = proc.output().split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^fixbid: The embedded PostgreSQL in \S+\/pg did not start \(.+\): .+\.$/);
      expect(proc.output()).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  (IS_ROOT ? it : it.skip)('as root, with the data in a home only root can enter (0700): the cluster lives under /var/lib/fixbid and survives a restart', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fixbid-roothome-'));
    chmodSync(home, 0o700);
    const rootData = join(home, 'fixbid', '.data');
    let clusterDir: string | undefined;
    try {
      const first = await start(rootData);
      clusterDir = /Database: embedded PostgreSQL at \S+ \(data in (\S+)\)/.exec(first.output())?.[1];
      expect(clusterDir).toMatch(new RegExp(`^${ROOT_STATE_DIR}/fixbid-data-[0-9a-f]{10}/pg$`));
      const email = `root-${Date.now()}@example.com`;
      expect(await register(first.baseUrl, email)).toBe(201);
      expect(await stop(first)).toBe(0);
      expect(errorLines(first.output())).toEqual([]);

      const again = await start(rootData);
      expect(again.output()).toContain(`(data in ${clusterDir})`);
      expect(await login(again.baseUrl, email)).toBe(200);
      expect(await stop(again)).toBe(0);
      expect(existsSync(join(clusterDir!, 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
      if (clusterDir?.startsWith(`${ROOT_STATE_DIR}/`)) rmSync(dirname(clusterDir), { recursive: true, force: true });
    }
  });

  it('chooses another port when the usual embedded-database port is taken', async () => {
    let blocker: Server | undefined;
    if (await portIsFree(54329)) {
      blocker = createServer();
      await new Promise<void>((r) => blocker!.listen(54329, '127.0.0.1', () => r()));
    }
    try {
      const s = await start(dataDir);
      const runtime = JSON.parse(readFileSync(join(dataDir, 'postgres.runtime.json'), 'utf8')) as { port: number };
      expect(runtime.port).not.toBe(54329);
      expect(await stop(s)).toBe(0);
    } finally {
      blocker?.close();
    }
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PLATFORM_FEE_BPS: '-5' }, /PLATFORM_FEE_BPS/],
    [{ NODE_ENV: 'production' }, /DATABASE_URL[\s\S]*JWT_SECRET[\s\S]*STRIPE_SECRET_KEY/],
  ])('a bad setting %j stops the start with a message naming it', async (extra, pattern) => {
    const proc = run(dataDir, extra as Record<string, string>);
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(pattern);
    expect(proc.output()).toMatch(/Invalid configuration/);
  });
});
