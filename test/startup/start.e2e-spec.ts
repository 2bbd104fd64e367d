import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { portIsFree } from '../../src/database/embedded-postgres';

/**
 * `npm start` as a newcomer runs it: the compiled server (npm test builds dist/ first) with no
 * DATABASE_URL, so it starts its embedded PostgreSQL under DATA_DIR.
 */
const MAIN = resolve(__dirname, '../../dist/src/main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  baseUrl: string;
  millis: number;
}

function baseEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', STRIPE_SANDBOX_PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development', ...extra };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  delete env.STRIPE_SECRET_KEY;
  return env;
}

function run(dataDir: string, extra: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], { env: baseEnv(dataDir, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => out, exited };
}

async function start(dataDir: string): Promise<Started> {
  const began = Date.now();
  const proc = run(dataDir);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /API: +(http:\/\/[^/\s"]+)\/v1/.exec(proc.output());
    if (match) {
      const baseUrl = match[1];
      for (;;) {
        const res = await fetch(`${baseUrl}/health/ready`).catch(() => undefined);
        if (res?.status === 200) return { ...proc, baseUrl, millis: Date.now() - began };
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

async function stop(s: { child: ChildProcess }): Promise<number | null> {
  const exited = new Promise<number | null>((done) => s.child.once('exit', (code) => done(code)));
  s.child.kill('SIGTERM');
  return exited;
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

  it('starts, answers /health/ready, refuses a second start on the same data, stops cleanly and keeps data', async () => {
    const first = await start(dataDir);
    expect(first.output()).toMatch(/Docs: +http:\/\/\S+\/docs/);
    expect(first.output()).toMatch(/Database: embedded PostgreSQL/);
    expect(first.output()).toMatch(/Payments: SANDBOX/);

    const email = `keep-${Date.now()}@example.com`;
    const reg = await fetch(`${first.baseUrl}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery', displayName: 'Keeper', role: 'customer' }),
    });
    expect(reg.status).toBe(201);

    const second = run(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already running/);

    expect(await stop(first)).toBe(0);
    expect(existsSync(join(dataDir, 'postgres.runtime.json'))).toBe(false);
    // PostgreSQL is gone too: its pid file is removed on a clean shutdown.
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const again = await start(dataDir);
    const login = await fetch(`${again.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    expect(await stop(again)).toBe(0);
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
