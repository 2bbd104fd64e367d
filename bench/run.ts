/**
 * `npm run bench`: seed a separate database (100k requests, 10k experts, 200k bids at scale 1;
 * BENCH_SEED_SCALE=10 for 1M), start the real application in this process, and load the routes
 * from a child process: a ceiling route that touches no database, the expert feed (with a user's
 * token, and with a partner's key acting for the expert), request search, bid creation and a
 * read-mostly mix (feed, search, detail, bids, accept + pay at the sandbox); then each global
 * guard's, the interceptor's and the pipe's cost per request, a 1,000-event webhook burst to a
 * local receiver and one reconciliation run. Prints a table (with this process's peak RSS per
 * row, and where that memory sits), the key path's share of the bearer path, the burst's
 * throughput and commit→receipt latency, the reconciliation's time and the Stripe objects it
 * read, and last `bench: feed=R search=R bid=R`.
 *
 * Env: BENCH_DURATION (s, 10), BENCH_CONNECTIONS (64), BENCH_WARMUP (s, 3), BENCH_SEED_SCALE
 * (1 = full), BENCH_POOL_SIZE (server pool, the config default 20), BENCH_DATABASE_URL (a
 * server to use instead of an embedded one), BENCH_ONLY (e.g. "feed,feed_key,search,bid,mix,
 * costs,webhooks,reconcile"), BENCH_PROFILE (a directory: one CPU profile of the server per
 * measured run), BENCH_LOG_LEVEL.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Pool } from 'pg';
import { createApp } from '../src/app.factory';
import { AccessTokens } from '../src/auth/access-tokens';
import { PasswordHasher } from '../src/auth/password-hasher';
import { AppConfig, loadAppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/migrate';
import { BenchDatabase, openBenchDatabase } from './database';
import { startProfile } from './profile';
import { Cost, meterGlobalHooks, renderCosts } from './guard-costs';
import { loadFixtures } from './fixtures';
import type { LoadJob, LoadSummary, Scenario } from './load';
import { memoryReport, mixBreakdown, oddStatuses, renderTable, Row, summaryLine } from './report';
import { seed, seedSize } from './seed';
import { SEARCH_TERMS } from './words';
import { webhookBurst } from './webhooks';
import { reconciliationRun } from './reconcile';
import { hotReadPlans } from './plans';
import { searchOverlap } from './search-overlap';
import { launchStripeSandbox } from '../src/payments/sandbox-runner';
import Stripe from 'stripe';
import { PartnersService } from '../src/partners/partners.service';

/** Makes the seeded experts a partner's users, so its key can act for them (the key path row). */
async function setPartnerOfExperts(url: string, partnerId: string, experts: string[]): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`UPDATE users SET partner_id = $1 WHERE id = ANY($2::uuid[])`, [partnerId, experts]);
  } finally {
    await db.end();
  }
}

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
};
const settings = {
  duration: num('BENCH_DURATION', 10),
  connections: Math.round(num('BENCH_CONNECTIONS', 64)),
  warmup: process.env.BENCH_WARMUP === '0' ? 0 : num('BENCH_WARMUP', 3),
  scale: num('BENCH_SEED_SCALE', 1),
  poolSize: Math.round(num('BENCH_POOL_SIZE', 20)),
  /** BENCH_PROFILE=<dir>: a V8 CPU profile of the server per measured run (open in Chrome DevTools). */
  profileDir: process.env.BENCH_PROFILE,
  only: new Set((process.env.BENCH_ONLY ?? 'feed,feed_key,search,bid,mix,costs,webhooks,reconcile').split(',').map((s) => s.trim())),
};

/** Seconds per route for the per-hook cost runs. */
const COST_SECONDS = 5;

const SCENARIOS: Array<{ scenario: Scenario; label: string }> = [
  { scenario: 'ceiling', label: 'GET /bench/ceiling (no db)' },
  { scenario: 'feed', label: 'GET /v1/experts/me/feed' },
  { scenario: 'feed_key', label: '  the same, partner key acting for the expert' },
  { scenario: 'search', label: 'GET /v1/requests?q=' },
  { scenario: 'bid', label: 'POST /v1/requests/:id/bids' },
  { scenario: 'mix', label: 'read-mostly mix (80/15/5, see below)' },
];

const log = (line: string) => process.stdout.write(`${line}\n`);
const MB = 1024 * 1024;
/** `npm run bench` runs node with --expose-gc, so the idle baseline is live memory, not garbage. */
const collect = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * The app's own config loader on a clean environment, so every setting (quotas included) keeps
 * its shipped default unless named here. Not NODE_ENV=production: that demands Stripe keys.
 */
function benchConfig(databaseUrl: string): AppConfig {
  return loadAppConfig({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(settings.poolSize),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'fixbid-bench-data-')),
    JWT_SECRET: randomBytes(48).toString('base64url'),
    STRIPE_SANDBOX_PORT: '0',
    // Request logging would measure stdout, not the API.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    // The per-caller budget still runs its upsert per request; only the limit is out of reach.
    RATE_LIMIT_PER_MINUTE: '100000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000000',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000000',
  });
}

/** Runs one autocannon job in a child process while sampling this (the server's) RSS. */
interface LoadOutcome {
  summary: LoadSummary;
  rssPeakMb: number;
  memoryAtPeak: NodeJS.MemoryUsage;
  /** CPU per completed request: this (server) process, and PostgreSQL when measurable. */
  serverCpuMs: number;
  dbCpuMs?: number;
}

async function runLoad(job: LoadJob, dir: string, db: BenchDatabase): Promise<LoadOutcome> {
  const file = join(dir, `${job.scenario}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(job));
  // The server runs in this process: its RSS (and where it sits) at the highest sample.
  let peak = process.memoryUsage();
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
  }, 100);
  const cpuBefore = process.cpuUsage();
  const dbBefore = db.cpuSeconds();
  try {
    const summary = await new Promise<LoadSummary>((done, fail) => {
      const child = fork(join(__dirname, 'load.js'), [file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
      let result: LoadSummary | undefined;
      child.on('message', (m) => (result = m as LoadSummary));
      child.on('error', fail);
      child.on('exit', (code) => (result ? done(result) : fail(new Error(`load generator exited with ${code}`))));
    });
    const cpu = process.cpuUsage(cpuBefore);
    if (process.env.BENCH_DEBUG) log(`  [debug] ${job.scenario}: user ${(cpu.user / 1000 / Math.max(1, summary.total)).toFixed(2)} ms/req, system ${(cpu.system / 1000 / Math.max(1, summary.total)).toFixed(2)} ms/req`);
    const dbAfter = db.cpuSeconds();
    const n = Math.max(1, summary.total);
    return {
      summary,
      rssPeakMb: peak.rss / MB,
      memoryAtPeak: peak,
      serverCpuMs: (cpu.user + cpu.system) / 1000 / n,
      dbCpuMs: dbBefore !== undefined && dbAfter !== undefined ? ((dbAfter - dbBefore) * 1000) / n : undefined,
    };
  } finally {
    clearInterval(sampler);
    rmSync(file, { force: true });
  }
}

/**
 * autocannon stops at the deadline with up to `connections` requests still inside the server;
 * wait until the app's database sessions are idle, so one run's tail never lands in the next.
 */
async function settle(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl, application_name: 'fixbid-bench' });
  await db.connect();
  try {
    for (let quiet = 0, tries = 0; quiet < 3 && tries < 300; tries++) {
      const { rows } = await db.query<{ busy: number }>(
        `SELECT count(*)::int AS busy FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'fixbid' AND state <> 'idle'`,
      );
      quiet = rows[0].busy === 0 ? quiet + 1 : 0;
      await new Promise((done) => setTimeout(done, 100));
    }
  } finally {
    await db.end();
  }
}

/** One request by hand before the load: a route that is not there yet is skipped, not measured. */
async function probe(baseUrl: string, job: LoadJob): Promise<string | undefined> {
  const headers: Record<string, string> = job.tokens.length ? { authorization: `Bearer ${job.tokens[0]}` } : {};
  let path = '/bench/ceiling';
  let init: RequestInit = { headers };
  if (job.scenario === 'feed' || job.scenario === 'mix') path = '/v1/experts/me/feed';
  if (job.scenario === 'feed_key') {
    path = '/v1/experts/me/feed';
    init = { headers: { 'x-api-key': job.apiKey ?? '', 'x-on-behalf-of': job.actingFor?.[0] ?? '' } };
  }
  if (job.scenario === 'search') path = `/v1/requests?q=${encodeURIComponent(job.terms[0])}`;
  if (job.scenario === 'bid') {
    const [requestId, tokenIndex, currency] = job.pairs[0];
    path = `/v1/requests/${requestId}/bids`;
    init = {
      method: 'POST',
      headers: { authorization: `Bearer ${job.tokens[tokenIndex]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: { amount: 500, currency }, etaMinutes: 60, message: 'Probe bid from the benchmark.' }),
    };
  }
  const res = await fetch(baseUrl + path, init);
  const text = await res.text();
  if (res.ok) return undefined;
  return `probe ${res.status}: ${text.slice(0, 160)}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`fixbid bench: ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
  const [load1] = loadavg();
  log(`  load average ${load1.toFixed(1)}${load1 > cpus().length * 0.5 ? ' — the machine is busy; numbers will be noisy' : ''}`);
  log(`  connections=${settings.connections} duration=${settings.duration}s warmup=${settings.warmup}s scale=${settings.scale} pool=${settings.poolSize}`);
  const db = await openBenchDatabase();
  let app: NestFastifyApplication | undefined;
  let sandbox: Awaited<ReturnType<typeof launchStripeSandbox>> | undefined;
  const work = mkdtempSync(join(tmpdir(), 'fixbid-bench-'));
  const config = benchConfig(db.url);
  try {
    log(`database: ${db.label}`);
    await runMigrations(db.url);
    const size = seedSize(settings.scale);
    log(`seeding ${size.requests} requests, ${size.experts} experts, ${size.customers} customers:`);
    const seedStart = Date.now();
    const passwordHash = await new PasswordHasher().hash('bench-password-0123');
    const counts = await db.withoutAutovacuum(() => seed(db.url, size, passwordHash, log));
    log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
    collect();
    const heapBeforeFixtures = process.memoryUsage().heapUsed;
    const fixtures = await loadFixtures(db.url);

    // Sandbox mode, as `npm start` runs it: the reconciliation row reads and lists at the emulator.
    sandbox = await launchStripeSandbox(config, { port: 0 });
    app = await createApp(sandbox.config, { logger: process.env.BENCH_LOG_LEVEL !== undefined });
    // The ceiling: same process, same Fastify hooks (request id, helmet, metrics), no database.
    app.getHttpAdapter().getInstance().get('/bench/ceiling', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${port}`;
    await sandbox.connect(baseUrl);
    const signer = app.get(AccessTokens, { strict: false });
    const tokens = fixtures.experts.map((id) => signer.sign({ id, role: 'expert' }));
    // The mix accepts bids on its own requests; every other row's bids go elsewhere, so an accept
    // never closes a request a bid is aimed at (which would be a 409 by design, not a failure).
    const acceptedRequests = new Set(fixtures.accepts.map(([, , requestId]) => requestId));
    let pairs = fixtures.pairs.filter(([requestId]) => !acceptedRequests.has(requestId));
    let accepts = fixtures.accepts.map(([bidId, customerId]): [string, string] => [bidId, signer.sign({ id: customerId, role: 'customer' })]);
    const details = pairs.slice(-5_000).map(([requestId]) => requestId);
    // The key path: the same experts, owned by a partner whose key acts for them.
    const partner = await app.get(PartnersService).create({ name: 'Bench partner' });
    await setPartnerOfExperts(db.url, partner.partner.id, fixtures.experts);

    collect();
    const idle = process.memoryUsage();
    const fixturesMb = (idle.heapUsed - heapBeforeFixtures) / MB;

    const rows: Row[] = [];
    for (const { scenario, label } of SCENARIOS) {
      if (scenario !== 'ceiling' && !settings.only.has(scenario)) continue;
      const job: LoadJob = {
        scenario,
        baseUrl,
        connections: settings.connections,
        duration: settings.duration,
        tokens: scenario === 'ceiling' ? [] : tokens,
        terms: [...SEARCH_TERMS],
        pairs: scenario === 'bid' || scenario === 'mix' ? pairs : [],
        ...(scenario === 'feed_key' && { apiKey: partner.apiKey, actingFor: fixtures.experts }),
      };
      const mixOf = () => ({ details, accepts, sandboxUrl: `http://127.0.0.1:${sandbox!.sandbox.port}`, publishableKey: 'pk_test_sandbox' });
      const problem = await probe(baseUrl, job);
      if (scenario === 'bid') pairs = pairs.slice(1);
      if (problem) {
        log(`${label}: skipped, ${problem}`);
        rows.push({ scenario, label, skipped: problem.slice(0, 40), rssPeakMb: 0 });
        continue;
      }
      if (settings.warmup > 0) {
        const warm = await runLoad({ ...job, pairs, duration: settings.warmup, ...(scenario === 'mix' && { mix: mixOf() }) }, work, db);
        if (scenario === 'bid' || scenario === 'mix') pairs = pairs.slice(warm.summary.consumed);
        if (scenario === 'mix') accepts = accepts.slice(warm.summary.acceptsConsumed ?? 0);
        await settle(db.url);
      }
      log(`running ${label} for ${settings.duration} s...`);
      const profiler = settings.profileDir ? await startProfile() : undefined;
      const { summary, rssPeakMb, memoryAtPeak, serverCpuMs, dbCpuMs } = await runLoad({ ...job, pairs, ...(scenario === 'mix' && { mix: mixOf() }) }, work, db);
      if (profiler) log(`  cpu profile: ${await profiler.stopInto(join(settings.profileDir!, `${scenario}.cpuprofile`))}`);
      // The next run (the mix, the cost runs) must not repeat this one's pairs or accepts.
      if (scenario === 'bid' || scenario === 'mix') pairs = pairs.slice(summary.consumed);
      if (scenario === 'mix') accepts = accepts.slice(summary.acceptsConsumed ?? 0);
      await settle(db.url);
      // What the row left behind once its garbage is collected: retained, not just not yet freed.
      collect();
      rows.push({ scenario, label, summary, rssPeakMb, memoryAtPeak, memoryAfterGc: process.memoryUsage(), serverCpuMs, dbCpuMs });
      const odd = oddStatuses(summary);
      if (odd) log(`  non-2xx answers: ${odd}`);
      if (summary.pairsExhausted) log(`  bid pairs ran out (${pairs.length}); later bids repeated pairs`);
      if (summary.kinds) log(mixBreakdown(summary));
    }

    // Item 1's question, per hook: one connection, so each hook's wall time is its own work.
    const costs: Array<{ label: string; requests: number; p50Ms: number; costs: Cost[] }> = [];
    if (settings.only.has('costs')) {
      const meter = meterGlobalHooks();
      try {
        // The rows rotate every expert's token, so the principal cache (60 s) rarely hits there;
        // the second feed column shows the hit path: the same 50 experts over and over.
        const runs = [['feed', 'feed', tokens], ['feed', 'feed, 50 experts', tokens.slice(0, 50)], ['search', 'search', tokens], ['bid', 'bid', tokens]] as const;
        for (const [scenario, label, callers] of runs) {
          meter.reset();
          const job: LoadJob = { scenario, baseUrl, connections: 1, duration: COST_SECONDS, tokens: [...callers], terms: [...SEARCH_TERMS], pairs: scenario === 'bid' ? pairs : [] };
          const { summary } = await runLoad(job, work, db);
          if (scenario === 'bid') pairs = pairs.slice(summary.consumed);
          costs.push({ label, requests: summary.total, p50Ms: summary.p50, costs: meter.read() });
          await settle(db.url);
        }
      } finally {
        meter.restore();
      }
    }

    const burst = settings.only.has('webhooks') ? await webhookBurst(app, db.url) : undefined;
    const platform = new Stripe('sk_test_sandbox', { host: '127.0.0.1', port: sandbox.sandbox.port, protocol: 'http', telemetry: false });
    const reconciled = settings.only.has('reconcile') ? await reconciliationRun(app, db.url, platform, Math.round(100_000 * settings.scale)) : undefined;

    log('');
    log(renderTable(rows));
    log('');
    if (costs.length) {
      log(`global guards, interceptor and pipe (1 connection, ${COST_SECONDS} s per route, wall time inside each, awaits included; load ${loadavg()[0].toFixed(1)}):`);
      log(renderCosts(costs));
      log('');
    }
    log(memoryReport(idle, fixturesMb, rows));
    log('');
    const key = rows.find((r) => r.scenario === 'feed_key')?.summary;
    const bearer = rows.find((r) => r.scenario === 'feed')?.summary;
    if (key && bearer) {
      const share = key.requestsPerSecond / bearer.requestsPerSecond;
      log(`partner key path: ${(share * 100).toFixed(0)} % of the bearer path's req/s on the feed (goal ≥ 90 %: ${share >= 0.9 ? 'ok' : 'MISSED'})`);
    }
    if (burst) {
      const ok = burst.delivered === burst.events && burst.p50Ms < 1000 && burst.p99Ms < 5000;
      log(
        `webhooks: ${burst.delivered}/${burst.events}-event burst delivered at ${burst.perSecond.toFixed(0)} events/s; ` +
          `commit → receipt p50 ${burst.p50Ms} ms, p99 ${burst.p99Ms} ms (goals p50 < 1 s, p99 < 5 s: ${ok ? 'ok' : 'MISSED'})`,
      );
    }
    if (reconciled) {
      log(
        `reconciliation: one run at ${reconciled.escrows} escrows (${reconciled.awaiting} awaiting payment) took ${reconciled.runMs.toFixed(0)} ms, ` +
          `read ${reconciled.stripeObjects} Stripe objects, ${reconciled.violations} violations (goal < 2 s: ${reconciled.runMs < 2000 ? 'ok' : 'MISSED'})`,
      );
    }
    if (settings.only.has('search')) {
      const pool = new Pool({ connectionString: db.url, max: 1 });
      const overlap = await searchOverlap(pool, SEARCH_TERMS).finally(() => pool.end());
      log(
        `search: the top 10 of ranking the ${overlap.candidates} newest matches and each word's ${overlap.strongest} strongest against ts_rank over every match, ${overlap.words} words: ` +
          `overlap@10 ${overlap.overlapAt10.toFixed(2)}, tie-aware ${overlap.tieAwareAt10.toFixed(2)} (README "How request search ranks")`,
      );
    }
    if (process.env.BENCH_PLANS !== '0') {
      log('');
      log(`plans at this scale (EXPLAIN ANALYZE, the routes' SQL; BENCH_PLANS=0 leaves them out):`);
      for (const plan of await hotReadPlans(db.url, SEARCH_TERMS)) {
        log(`── ${plan.label}: ${plan.executionMs.toFixed(2)} ms${plan.seqScans.length ? `, SEQ SCAN of ${plan.seqScans.join(', ')}` : ', no sequential scan'}`);
        if (process.env.BENCH_PLANS === 'full') log(plan.text);
      }
      log('');
    }
    log(
      `(${settings.connections} connections, ${settings.duration} s each after a ${settings.warmup} s warm-up; RSS: peak of the ` +
        `server process; CPU: per completed request; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs; ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
    );
    log(summaryLine(rows));
  } finally {
    await app?.close().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    await db.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench: failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
