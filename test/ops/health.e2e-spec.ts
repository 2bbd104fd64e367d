import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createTestApp, createTestDatabase, TestApp } from '../support/test-app';

async function withAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: process.env.FIXBID_TEST_ADMIN_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

const dbName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

function expectNotReady(res: { status: number; body: { error: Record<string, string> } }, reason: RegExp): void {
  expect(res.status).toBe(503);
  expect(res.body.error).toMatchObject({ type: 'api_error', code: 'service_unavailable' });
  expect(res.body.error.message).toMatch(reason);
  expect(res.body.error.requestId).toEqual(expect.any(String));
}

describe('health probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Tiny limits: the probes must not count against them (@SkipThrottle).
    t = await createTestApp({ rateLimitPerMinute: 2, authRateLimitPerMinute: 2 });
  });
  afterAll(() => t.close());

  it('live answers 200 and is never cached', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toMatch(/no-store/);
  });

  it('ready answers 200 with each check up when the database is reachable and migrated', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up', migrations: 'up' } });
    expect(res.headers['cache-control']).toMatch(/no-store/);
  });

  it('probes and /metrics need no credentials and are not rate limited', async () => {
    for (let i = 0; i < 8; i++) {
      await t.http.get('/health/live').expect(200);
      await t.http.get('/health/ready').expect(200);
      await t.http.get('/metrics').expect(200);
    }
  });

  it('L3 database refusing connections (backends terminated) → ready 503, live 200; back to 200 once it returns', async () => {
    const name = dbName(t.databaseUrl);
    await withAdmin(async (admin) => {
      try {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        expectNotReady(await t.http.get('/health/ready'), /^Not ready: database unreachable\.$/);
        await t.http.get('/health/live').expect(200);

        // API8 with a real failure: the 500 carries the envelope, not the driver's words or a stack.
        const failed = await t.http.get('/v1/categories');
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect(failed.body.error).toMatchObject({ type: 'api_error', message: 'Something went wrong on our side.' });
        expect(JSON.stringify(failed.body)).not.toMatch(/accepting connections|postgres|terminat|\bat \S+:\d+|SELECT/i);
      } finally {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      }
    });
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.checks).toEqual({ database: 'up', migrations: 'up' });
  });

  it('a pending migration (last row of the migrations table gone) → ready 503 naming migrations; applied again → 200', async () => {
    const [last] = await t.ds.query('SELECT id, "timestamp", name FROM migrations ORDER BY id DESC LIMIT 1');
    await t.ds.query('DELETE FROM migrations WHERE id = $1', [last.id]);
    try {
      expectNotReady(await t.http.get('/health/ready'), /^Not ready: 1 migration\(s\) pending\.$/);
    } finally {
      await t.ds.query('INSERT INTO migrations (id, "timestamp", name) VALUES ($1, $2, $3)', [last.id, last.timestamp, last.name]);
    }
    await t.http.get('/health/ready').expect(200);
  });
});

/** A TCP relay to PostgreSQL that can be cut (a crashed server) or frozen (a hung one). */
class DatabaseRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      // Forward unless frozen; bytes swallowed while frozen are never replayed (thaw resets).
      client.on('data', (chunk) => this.frozen || upstream.write(chunk));
      upstream.on('data', (chunk) => this.frozen || client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Refuses new connections and resets the open ones. */
  async stop(): Promise<void> {
    this.resetAll();
    await new Promise<void>((done) => this.server!.close(() => done()));
  }

  /** Connections stay open but nothing answers: queries hang. */
  freeze(): void {
    this.frozen = true;
  }

  /** The server comes back after a hang: the stuck connections are reset. */
  thaw(): void {
    this.resetAll();
    this.frozen = false;
  }

  private resetAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}

describe('health probes with the database server gone', () => {
  let t: TestApp;
  let relay: DatabaseRelay;
  beforeAll(async () => {
    const direct = new URL(await createTestDatabase());
    relay = new DatabaseRelay({ host: direct.hostname, port: Number(direct.port) });
    await relay.start();
    const viaRelay = new URL(direct);
    viaRelay.port = String(relay.port);
    t = await createTestApp({}, { databaseUrl: viaRelay.toString() });
  });
  afterAll(async () => {
    relay.thaw();
    await t.close();
    await relay.stop().catch(() => undefined);
  });

  /** The pool may need a request or two to drop connections that died. */
  async function eventuallyReady(): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      if ((await t.http.get('/health/ready')).status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await t.http.get('/health/ready').expect(200);
  }

  it('L3 server stopped under a running app → ready 503 at once; restarted → 200, the process never crashed', async () => {
    await t.http.get('/health/ready').expect(200);
    await relay.stop();

    const started = Date.now();
    expectNotReady(await t.http.get('/health/ready'), /^Not ready: database unreachable\.$/);
    expect(Date.now() - started).toBeLessThan(1500);
    await t.http.get('/health/live').expect(200);

    await relay.start();
    await eventuallyReady();
  });

  it('L3 server hung (connections open, no answers) → ready 503 within the 1 s check timeout, not a hanging probe', async () => {
    await t.http.get('/health/ready').expect(200);
    relay.freeze();

    const started = Date.now();
    expectNotReady(await t.http.get('/health/ready'), /^Not ready: database unreachable\.$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(2500);
    await t.http.get('/health/live').expect(200);

    relay.thaw();
    await eventuallyReady();
  });
});
