import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort, startScratchPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { startStripeSandbox, StripeSandbox, WebhookChaosOptions } from '../src/stripe-sandbox';

const MAIN = resolve(__dirname, '..', 'src', 'main.js');
const ADMIN_CREATE = resolve(__dirname, '..', 'src', 'cli', 'admin-create.js');
const CHAOS_DATABASE = 'fixbid_chaos';

/** One server process (dist/src/main.js) on its own fixed port, so a restart comes back where the front expects it. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  starts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [MAIN], { env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    this.starts += 1;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode} while starting; see ${this.logFile}:\n${this.logTail()}`);
      const ready = await fetch(`${this.url}/health/ready`).then((r) => r.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after 60 s; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** kill -9: no shutdown hook runs, jobs in hand and requests in flight are cut off. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** A clean stop (SIGTERM), as at the end of the run. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/**
 * Where the sandbox posts its events: a load-balancing front, as a real deployment puts in front
 * of its server processes. Each delivery goes to the next server; one that refuses the connection
 * or drops it (killed) hands the delivery to the other. The body is passed on byte for byte, so
 * Stripe's signature still verifies.
 */
export class WebhookFront {
  private readonly server: http.Server;
  private next = 0;
  readonly counts = { forwarded: 0, failedOver: 0, refused: 0 };

  constructor(private readonly backends: () => string[]) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.forward(req, Buffer.concat(chunks), res));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const backends = this.backends();
    const first = this.next++ % backends.length;
    for (let i = 0; i < backends.length; i++) {
      const target = backends[(first + i) % backends.length];
      try {
        const answer = await post(`${target}${req.url ?? '/'}`, body, req.headers);
        this.counts.forwarded += 1;
        if (i > 0) this.counts.failedOver += 1;
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        return;
      } catch {
        // That server is down (or died mid-request): the next one gets the same bytes.
      }
    }
    this.counts.refused += 1;
    res.writeHead(502).end();
  }
}

function post(url: string, body: Buffer, headers: http.IncomingHttpHeaders): Promise<{ status: number; body: Buffer }> {
  return new Promise((done, fail) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: 10_000,
        headers: { 'content-type': headers['content-type'] ?? 'application/json', 'stripe-signature': headers['stripe-signature'] ?? '', 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on('error', fail);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', fail);
    request.end(body);
  });
}

export interface ClusterOptions {
  workDir: string;
  /** A PostgreSQL server to use (a database fixbid_chaos is made on it); else an embedded one in a temp dir. */
  databaseUrl?: string;
  webhookChaos: WebhookChaosOptions;
  log: (line: string) => void;
}

export interface Cluster {
  databaseUrl: string;
  sandbox: StripeSandbox;
  front: WebhookFront;
  servers: ServerProcess[];
  /** npm run admin:create, as an operator does. */
  createAdmin(email: string, password: string): void;
  stop(): Promise<void>;
}

/**
 * The run's world: its own PostgreSQL database (migrated), one Stripe sandbox started here with
 * webhook chaos, a front that spreads its webhooks over two server processes (the compiled
 * server, sandbox mode, STRIPE_SANDBOX_EXTERNAL so neither starts an emulator of its own).
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const databaseUrl = await openDatabase(options.databaseUrl, stops);
    await runMigrations(databaseUrl);
    const webhookSecret = `whsec_chaos_${randomBytes(18).toString('base64url')}`;
    const sandbox = await startStripeSandbox({
      port: 0,
      webhookSecret,
      webhookChaos: options.webhookChaos,
      // Stripe retries for days; a run has minutes: retry sooner, but as often.
      webhookRetryDelaysMs: [200, 500, 1000, 2000, 4000, 8000],
      log: (line) => options.log(`  sandbox: ${line}`),
    });
    stops.push(() => sandbox.close());

    const ports = [await freePort(0), await freePort(0)];
    const servers: ServerProcess[] = [];
    const front = new WebhookFront(() => servers.map((s) => s.url));
    sandbox.setWebhookUrl(`${await front.listen()}/v1/webhooks/stripe`);
    stops.push(() => front.close());

    const serverEnv = serverSettings(databaseUrl, sandbox.port, webhookSecret);
    for (const [index, port] of ports.entries()) {
      const name = `server-${String.fromCharCode(97 + index)}`;
      const dataDir = join(options.workDir, name);
      mkdirSync(dataDir, { recursive: true });
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...serverEnv, PORT: String(port), DATA_DIR: dataDir };
      servers.push(new ServerProcess(name, port, env, join(options.workDir, `${name}.log`)));
    }
    stops.push(async () => {
      await Promise.all(servers.map((s) => s.stop()));
    });
    await Promise.all(servers.map((s) => s.start()));

    return {
      databaseUrl,
      sandbox,
      front,
      servers,
      createAdmin(email, password) {
        execFileSync(process.execPath, [ADMIN_CREATE, '--email', email, '--password', password], {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: databaseUrl, DATA_DIR: join(options.workDir, 'admin'), JWT_SECRET: serverEnv.JWT_SECRET },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** What both server processes run with: sandbox mode on the shared sandbox, the run's settings. */
function serverSettings(databaseUrl: string, sandboxPort: number, webhookSecret: string): Record<string, string> {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    STRIPE_SANDBOX_PORT: String(sandboxPort),
    STRIPE_SANDBOX_EXTERNAL: 'true',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    PAYOUT_HOLD_HOURS: '0',
    JOB_POLL_SECONDS: '0.5',
    // A killed process's jobs come back in seconds, not pg-boss's 15 minutes.
    JOB_EXPIRE_SECONDS: '20',
    STRIPE_RECONCILE_INTERVAL_SECONDS: '10',
    LOG_LEVEL: 'warn',
    NO_COLOR: '1',
    // Limits are proven by their own tests; here they would only slow the run down.
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    STRIPE_RATE_LIMIT_PER_MINUTE: '1000000',
  };
}

/** CHAOS_DATABASE_URL's server (fixbid_chaos dropped and made again there), or a throwaway embedded cluster. */
async function openDatabase(given: string | undefined, stops: Array<() => Promise<void>>): Promise<string> {
  let adminUrl = given;
  if (!adminUrl) {
    const cluster = await startScratchPostgres('chaos', ['-c', 'max_connections=200']);
    stops.push(() => cluster.stop());
    adminUrl = cluster.adminUrl;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${CHAOS_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${CHAOS_DATABASE}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${CHAOS_DATABASE}`;
  return url.toString();
}
