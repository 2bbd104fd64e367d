/**
 * `npm run chaos` (200 jobs) and `npm run chaos:ci` (40): F9, the proof that no cent is lost.
 *
 * One PostgreSQL database, one Stripe sandbox (started here, webhooks duplicated, held back and
 * reordered from a seed), two server processes (the compiled server, sharing that sandbox) behind
 * a webhook front and a client that fails over. N jobs run at once through the HTTP API and the
 * official Stripe SDK, each a scenario with its own ending (scenarios.ts); mid-run one server is
 * killed with SIGKILL and started again. Time-driven steps go through one clock in the database
 * (clock.ts). Then the world is left to settle, and checked: the ledger report, Stripe's objects
 * one to one with the ledger, the money equation, nothing stuck. Last line:
 * `chaos: jobs=N violations=V unmatched=U stuck=S`; exit 1 unless all three are 0.
 *
 * Options: --jobs N (CHAOS_JOBS, 200), --seed S (CHAOS_SEED, 1), --keep (keep the logs and the
 * work dir), CHAOS_DATABASE_URL (a PostgreSQL server to use instead of an embedded one).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import Stripe from 'stripe';
import { FailNextOptions } from '../src/stripe-sandbox';
import { seededRandom } from '../src/stripe-sandbox/webhook-chaos';
import { AdminDesk } from './admin-desk';
import { Actor, Api } from './api';
import { freshReconciliation, ledgerReport, matchStripe, moneyEquation, readStripe, settle, stuckItems } from './checks';
import { ScenarioClock } from './clock';
import { Cluster, startCluster } from './cluster';
import { Bank, Deal, World } from './deal';
import { connectAccountOf, inBatches, login, readyExpert, register } from './people';
import { accountsTable, equationTable, JobResult, outcomesTable } from './report';
import { jobMix, Scenario } from './scenarios';
import { DealWatch } from './watch';

const { values: args } = parseArgs({ options: { jobs: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'boolean' } } });
const JOBS = Number(args.jobs ?? process.env.CHAOS_JOBS ?? 200);
const SEED = Number(args.seed ?? process.env.CHAOS_SEED ?? 1);
const log = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The ledger report's own invariants (M1, M2, M3, M6, M9): each holds at every commit, so they must
 * hold in every report, mid-run too. Its other codes come from the last reconciliation with Stripe,
 * which can see an operation half-way (Stripe answered, our commit not yet made).
 */
const LEDGER_INVARIANTS = [
  'unbalanced_transaction',
  'escrow_held_mismatch',
  'escrow_balance_mismatch',
  'overspent',
  'refund_mismatch',
  'payout_mismatch',
  'partner_share_mismatch',
  'partner_payout_mismatch',
  'chargeback_mismatch',
];

/** Stripe answering badly now and then, as it does: acted and lost the answer, or dropped the connection first. */
const STRIPE_FAULTS: Array<[string, FailNextOptions]> = [
  ['POST /v1/transfers', { status: 500, applyFirst: true }],
  ['POST /v1/refunds', { status: 503, applyFirst: true }],
  ['POST /v1/payment_intents', { status: 'reset' }],
  ['POST /v1/transfers/*/reversals', { status: 502, applyFirst: true }],
  ['GET /v1/payment_intents/*', { status: 500 }],
];

async function main(): Promise<number> {
  if (!Number.isInteger(JOBS) || JOBS < 1) throw new Error(`--jobs must be a positive integer, not ${args.jobs ?? process.env.CHAOS_JOBS}`);
  const started = Date.now();
  const random = seededRandom(SEED);
  log(`fixbid chaos: ${JOBS} jobs, seed ${SEED}; ${cpus().length} CPU, load average ${loadavg()[0].toFixed(1)}, node ${process.version}`);
  const workDir = mkdtempSync(join(tmpdir(), 'fixbid-chaos-'));
  const cluster = await startCluster({
    workDir,
    databaseUrl: process.env.CHAOS_DATABASE_URL,
    webhookChaos: { seed: SEED, duplicate: 0.15, delay: 0.2, reorder: 0.1, maxDelayMs: 1500 },
    log,
  });
  let failed = true;
  try {
    const code = await run(cluster, random, started);
    failed = code !== 0;
    return code;
  } finally {
    const stopping = Date.now();
    await cluster.stop();
    log(`stopped the servers, the sandbox and the database in ${seconds(Date.now() - stopping)}`);
    if (failed || args.keep) log(`logs and work files kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

async function run(cluster: Cluster, random: () => number, t0: number): Promise<number> {
  const pool = new Pool({ connectionString: cluster.databaseUrl, max: 4 });
  const api = new Api(() => cluster.servers.map((s) => s.url));
  const sdk = (key: string) => new Stripe(key, { host: '127.0.0.1', port: cluster.sandbox.port, protocol: 'http', telemetry: false, maxNetworkRetries: 2 });
  const adminEmail = `admin-${process.pid}@chaos.fixbid.test`;
  cluster.createAdmin(adminEmail, 'chaos admin password 0123');
  const admin = await login(api, adminEmail, 'chaos admin password 0123');
  const watch = new DealWatch(pool);
  const desk = new AdminDesk(api, admin);
  const clock = new ScenarioClock(pool, { paymentWindowHours: 24, reviewWindowHours: 168 });
  const world: World = { api, watch, clock, desk, bank: new Bank(cluster.sandbox.url), browser: sdk('pk_test_sandbox'), platform: sdk('sk_test_sandbox'), pool };
  log(`setup: database, migrations, sandbox, ${cluster.servers.map((s) => `${s.name} :${s.port}`).join(', ')} up in ${seconds(Date.now() - t0)}`);

  // The jobs, their kinds shuffled so every kind runs throughout.
  const mix = jobMix(JOBS);
  for (let i = mix.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [mix[i], mix[j]] = [mix[j], mix[i]];
  }
  const peopleStarted = Date.now();
  const customers = await inBatches(Array.from({ length: Math.ceil(JOBS / 4) }), 4, (_, i) => register(api, 'customer', `customer-${i}`));
  const ownExperts = mix.filter((s) => s.ownExpert).length;
  const experts = await inBatches(Array.from({ length: Math.max(4, Math.ceil(JOBS / 8)) + ownExperts }), 4, (_, i) => readyExpert(api, pool, `expert-${i}`));
  const shared = experts.slice(0, experts.length - ownExperts);
  const own = experts.slice(shared.length);
  log(`people: ${customers.length} customers, ${experts.length} experts onboarded (${ownExperts} with their own jobs only) in ${seconds(Date.now() - peopleStarted)}`);

  watch.start();
  desk.start();
  const runStarted = Date.now();
  const results: JobResult[] = [];
  let inFlight = 0;
  let killed: { server: string; atS: number; inFlight: number; backAfterS: number } | undefined;
  const faultsArmed = { count: 0 };
  const chaosLoop = armStripeFaults(cluster, faultsArmed);
  const midRun = sampleLedger(api, admin);
  const victim = cluster.servers[Math.floor(random() * cluster.servers.length)];
  // Mid-run: once every job has started and a quarter have ended.
  const killAt = Math.ceil(JOBS * 0.25);
  let killing: Promise<void> = Promise.resolve();
  let killStarted = false;
  let started = 0;
  const rampMs = Math.min(15_000, JOBS * 60);

  const jobs = mix.map(async (scenario: Scenario, index) => {
    await sleep(Math.floor((index * rampMs) / JOBS));
    const expert = scenario.ownExpert ? own.shift()! : shared[index % shared.length];
    const loser = shared[(index + 1) % shared.length];
    const deal = new Deal(world, customers[index % customers.length], expert, 500 + Math.floor(random() * 9000));
    const jobStarted = Date.now();
    started += 1;
    inFlight += 1;
    let outcome: string;
    let ok = true;
    try {
      outcome = await scenario.run(deal, { index, loser: loser.id === expert.id ? undefined : loser, accountOf: (id) => connectAccountOf(pool, id) });
    } catch (err) {
      ok = false;
      outcome = (err as Error).message;
    }
    inFlight -= 1;
    results.push({ scenario: scenario.name, requestId: deal.requestId, outcome, ok, ms: Date.now() - jobStarted });
    if (results.length >= killAt && !killStarted && started === mix.length) {
      killStarted = true;
      // Mid-run: kill -9 one server under the jobs in flight, then start it again.
      killing = (async () => {
        const atS = (Date.now() - runStarted) / 1000;
        const before = inFlight;
        await victim.kill();
        await sleep(1000);
        const down = Date.now();
        await victim.start();
        killed = { server: victim.name, atS, inFlight: before, backAfterS: (Date.now() - down + 1000) / 1000 };
      })();
    }
  });
  await Promise.all(jobs);
  await killing;
  const faultsLeft = chaosLoop.stop();
  const samples = await midRun.stop();
  const runMs = Date.now() - runStarted;
  log(`jobs: ${results.length} ran in ${seconds(runMs)}; ${results.filter((r) => !r.ok).length} did not end as planned`);

  const settleStarted = new Date();
  const settled = await settle(cluster.sandbox, pool, 60_000);
  await desk.stop();
  watch.stop();
  const reconciled = await freshReconciliation(pool, settleStarted, 30_000);
  log(`settled in ${seconds(settled.ms)}${settled.quiet ? '' : ` — NOT quiet: ${JSON.stringify(settled.busy)}`}; reconciliation after it: ${reconciled ? 'ran' : 'did NOT run'}`);

  const checksStarted = Date.now();
  const ledger = await ledgerReport(api, admin);
  const stripe = await readStripe(world.platform);
  const matching = await matchStripe(pool, stripe);
  const equation = await moneyEquation(pool, stripe, ledger.balances);
  const stuck = await stuckItems(pool, stripe);
  await pool.end();

  const failures = results.filter((r) => !r.ok);
  const violations = [
    ...ledger.violations.map((v) => `ledger: ${v.code}: ${v.message}`),
    ...(equation.difference !== 0 ? [`money equation off by ${equation.difference}`] : []),
    ...equation.crossChecks.filter((c) => c.stripe !== c.ledger).map((c) => `${c.name}: Stripe ${c.stripe}, ledger ${c.ledger}`),
    ...failures.map((f) => `job ${f.scenario} (request ${f.requestId || 'not posted'}): ${f.outcome}`),
    ...api.serverErrors.map((e) => `${e.status} ${e.code} on ${e.method} ${e.path}`),
    ...desk.refusals.map((r) => `admin desk: ${r}`),
    ...desk.unplanned.map((u) => `a ${u.kind} dispute nobody expected on request ${u.requestId}`),
    ...samples.flatMap((v, i) => v.filter((code) => LEDGER_INVARIANTS.includes(code)).map((code) => `mid-run ledger report ${i + 1}: ${code}`)),
    ...(settled.quiet ? [] : [`the system did not settle within 60 s: ${JSON.stringify(settled.busy)}`]),
    ...(reconciled ? [] : ['no reconciliation ran after the system settled']),
  ];

  log('');
  log(outcomesTable(results));
  log('');
  log(accountsTable(ledger.balances));
  log('');
  log(equationTable(equation));
  log('');
  const webhooks = cluster.sandbox.webhookChaos();
  log(
    `Stripe objects matched one to one: ${matching.matched.paymentIntents} PaymentIntents paid, ${matching.matched.transfers} Transfers, ` +
      `${matching.matched.reversals} Reversals, ${matching.matched.refunds} Refunds, ${matching.matched.lostDisputes} lost chargebacks ` +
      `(of ${stripe.paymentIntents.length} PaymentIntents, ${stripe.disputes.length} disputes at Stripe)`,
  );
  log(
    `chaos: webhooks ${webhooks.duplicated} duplicated, ${webhooks.delayed} delayed, ${webhooks.reordered} reordered ` +
      `(${cluster.front.counts.forwarded} deliveries, ${cluster.front.counts.failedOver} failed over to the other server); ` +
      `${faultsArmed.count - faultsLeft} Stripe API faults hit (of ${faultsArmed.count} armed); ` +
      (killed ? `${killed.server} SIGKILLed at ${killed.atS.toFixed(1)} s with ${killed.inFlight} jobs in flight, serving again ${killed.backAfterS.toFixed(1)} s later; ` : 'no kill; ') +
      `${clock.counts.elapsed} windows let pass by the clock; client: ${api.counts.calls} calls, ${api.counts.connectionsLost} lost connections, ` +
      `${api.counts.inUseWaits} waits on a dead process's idempotency key; admin settled ${desk.settled.length} disputes`,
  );
  if (api.retriedAfterLoss.length) {
    const answers = api.retriedAfterLoss.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')} → ${r.status}${r.code ? ` ${r.code}` : ''}`);
    log(`POSTs cut off by the kill and retried with their Idempotency-Key: ${answers.join('; ')}`);
  }
  const fromStripe = [...new Set(samples.flatMap((v) => v).filter((code) => !LEDGER_INVARIANTS.includes(code)))];
  log(
    `mid-run GET /v1/admin/ledger: ${samples.filter((v) => v.length === 0).length} of ${samples.length} reports ok, ` +
      `${samples.filter((v) => v.some((code) => LEDGER_INVARIANTS.includes(code))).length} broke a ledger invariant` +
      (fromStripe.length ? `; reconciliation, comparing with Stripe while operations were under way, named ${fromStripe.join(', ')}` : ''),
  );
  log(`time: setup and people ${seconds(runStarted - t0)}, jobs ${seconds(runMs)}, settle ${seconds(settled.ms)}, checks ${seconds(Date.now() - checksStarted)}; ${seconds(Date.now() - t0)} in all`);
  for (const [title, items] of [['violations', violations], ['unmatched', matching.unmatched], ['stuck', stuck]] as const) {
    if (items.length === 0) continue;
    log('');
    log(`${title}:`);
    for (const item of items.slice(0, 40)) log(`  - ${item}`);
    if (items.length > 40) log(`  … and ${items.length - 40} more`);
  }
  if (violations.length && cluster.servers.some((s) => s.logTail())) {
    log('');
    for (const server of cluster.servers) log(`last lines of ${server.name}'s log:\n${server.logTail(15)}`);
  }
  log('');
  log(`chaos: jobs=${results.length} violations=${violations.length} unmatched=${matching.unmatched.length} stuck=${stuck.length}`);
  return violations.length === 0 && matching.unmatched.length === 0 && stuck.length === 0 ? 0 : 1;
}

/** Arms one Stripe API fault every few seconds while the jobs run, cycling through STRIPE_FAULTS; stop() says how many were never hit. */
function armStripeFaults(cluster: Cluster, armed: { count: number }): { stop(): number } {
  const timer = setInterval(() => {
    const [path, options] = STRIPE_FAULTS[armed.count % STRIPE_FAULTS.length];
    cluster.sandbox.faults.failNext(path, options);
    armed.count += 1;
  }, 3000);
  return {
    stop: () => {
      clearInterval(timer);
      const left = cluster.sandbox.faults.pending().requests.reduce((n, f) => n + f.remaining, 0);
      cluster.sandbox.faults.clear();
      return left;
    },
  };
}

/** The admin's ledger report every 2 s while the jobs run: the violation codes of each. */
function sampleLedger(api: Api, admin: Actor): { stop(): Promise<string[][]> } {
  const samples: string[][] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      await sleep(2000);
      const report = await ledgerReport(api, admin).catch(() => undefined);
      if (report) samples.push(report.violations.map((v) => v.code));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos: failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.stdout.write('chaos: jobs=0 violations=1 unmatched=0 stuck=0\n');
    process.exit(1);
  },
);
