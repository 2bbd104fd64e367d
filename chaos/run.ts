/**
 * `npm run chaos` (200 jobs) and `npm run chaos:ci` (40): F9, the proof that no cent is lost.
 *
 * One PostgreSQL database, one Stripe sandbox (started here, webhooks duplicated, held back and
 * reordered from a seed), two server processes (the compiled server, sharing that sandbox) behind
 * a webhook front and a client that fails over. N jobs run at once through the HTTP API and the
 * official Stripe SDK, each a scenario with its own ending (scenarios.ts); mid-run one server is
 * killed with SIGKILL and started again (jobs-phase.ts). Time-driven steps go through one clock in
 * the database (clock.ts). Then the world is left to settle, and checked: the ledger report,
 * Stripe's objects one to one with the ledger, the money equation, nothing stuck. Last line:
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
import { seededRandom } from '../src/stripe-sandbox/webhook-chaos';
import { AdminDesk } from './admin-desk';
import { Actor, Api } from './api';
import { ScenarioClock } from './clock';
import { Cluster, startCluster } from './cluster';
import { Bank, World } from './deal';
import { moneyEquation } from './equation';
import { People, runJobs } from './jobs-phase';
import { matchStripe, readStripe } from './matching';
import { inBatches, login, partnerCustomer, readyExpert, readyPartner, register } from './people';
import { jobMix, Scenario } from './scenarios';
import { freshReconciliation, ledgerReport, settle } from './settle';
import { checkShares } from './shares';
import { stuckItems } from './stuck';
import { printReport, violationsOf } from './verdict';
import { DealWatch } from './watch';

const { values: args } = parseArgs({ options: { jobs: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'boolean' } } });
const JOBS = Number(args.jobs ?? process.env.CHAOS_JOBS ?? 200);
const SEED = Number(args.seed ?? process.env.CHAOS_SEED ?? 1);
const ADMIN_PASSWORD = 'chaos admin password 0123';
const log = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  if (!Number.isInteger(JOBS) || JOBS < 1) throw new Error(`--jobs must be a positive integer, not ${args.jobs ?? process.env.CHAOS_JOBS}`);
  const started = Date.now();
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
    const code = await run(cluster, seededRandom(SEED), started);
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
  cluster.createAdmin(adminEmail, ADMIN_PASSWORD);
  const admin = await login(api, adminEmail, ADMIN_PASSWORD);
  const watch = new DealWatch(pool);
  const desk = new AdminDesk(api, admin);
  const clock = new ScenarioClock(pool, { paymentWindowHours: 24, reviewWindowHours: 168, reopenResolveDays: 7 });
  const world: World = { api, watch, clock, desk, bank: new Bank(cluster.sandbox.url), browser: sdk('pk_test_sandbox'), platform: sdk('sk_test_sandbox'), pool };
  log(`setup: database, migrations, sandbox, ${cluster.servers.map((s) => `${s.name} :${s.port}`).join(', ')} up in ${seconds(Date.now() - t0)}`);

  const mix = shuffled(jobMix(JOBS), random);
  const people = await enlist(api, pool, mix, admin);
  watch.start();
  desk.start();
  const jobsStarted = Date.now();
  const jobs = await runJobs(world, cluster, mix, people, random, admin);
  log(`jobs: ${jobs.results.length} ran in ${seconds(jobs.ms)}; ${jobs.results.filter((r) => !r.ok).length} did not end as planned`);

  const settleStarted = new Date();
  const settled = await settle(cluster.sandbox, pool, 60_000);
  await desk.stop();
  watch.stop();
  const reconciled = await freshReconciliation(pool, settleStarted, 30_000);
  log(`settled in ${seconds(settled.ms)}${settled.quiet ? '' : ` — NOT quiet: ${JSON.stringify(settled.busy)}`}; reconciliation after it: ${reconciled ? 'ran' : 'did NOT run'}`);

  const checksStarted = Date.now();
  const ledger = await ledgerReport(api, admin);
  const stripe = await readStripe(world.platform);
  const findings = {
    jobs,
    ledger,
    equation: await moneyEquation(pool, stripe, ledger.balances),
    matching: await matchStripe(pool, stripe),
    shares: await checkShares(pool, stripe),
    stuck: await stuckItems(pool, stripe),
    settled,
    reconciled,
    api,
    desk,
  };
  await pool.end();
  const violations = violationsOf(findings);
  printReport(log, findings, stripe, cluster, clock, violations);
  log(`time: setup and people ${seconds(jobsStarted - t0)}, jobs ${seconds(jobs.ms)}, settle ${seconds(settled.ms)}, checks ${seconds(Date.now() - checksStarted)}; ${seconds(Date.now() - t0)} in all`);
  log('');
  const { unmatched } = findings.matching;
  log(`chaos: jobs=${jobs.results.length} violations=${violations.length} unmatched=${unmatched.length} stuck=${findings.stuck.length}`);
  return violations.length === 0 && unmatched.length === 0 && findings.stuck.length === 0 ? 0 : 1;
}

/** The jobs' kinds in a seeded random order, so every kind runs throughout the run. */
function shuffled(mix: Scenario[], random: () => number): Scenario[] {
  const out = [...mix];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Customers (a job per four: under the hourly request quota) and experts, onboarded; some experts
 * kept for one job each; a partner (a 20 % revenue share, its payout account onboarded) with
 * customers of its own for the partner jobs.
 */
async function enlist(api: Api, pool: Pool, mix: Scenario[], admin: Actor): Promise<People> {
  const started = Date.now();
  const customers: Actor[] = await inBatches(Array.from({ length: Math.ceil(mix.length / 4) }), 4, (_, i) => register(api, 'customer', `customer-${i}`));
  const partnerJobs = mix.filter((s) => s.partner).length;
  const partner = partnerJobs ? await readyPartner(api, pool, admin, 2000) : undefined;
  const partnerCustomers = partner ? await inBatches(Array.from({ length: Math.ceil(partnerJobs / 4) }), 4, (_, i) => partnerCustomer(api, partner, `partner-customer-${i}`)) : [];
  const ownCount = mix.filter((s) => s.ownExpert).length;
  const experts = await inBatches(Array.from({ length: Math.max(4, Math.ceil(mix.length / 8)) + ownCount }), 4, (_, i) => readyExpert(api, pool, `expert-${i}`));
  const shared = experts.slice(0, experts.length - ownCount);
  log(
    `people: ${customers.length} customers, ${partnerCustomers.length} of a partner's (share ${partner?.shareBps ?? 0} bps), ` +
      `${experts.length} experts onboarded (${ownCount} with their own jobs only) in ${seconds(Date.now() - started)}`,
  );
  return { customers, partnerCustomers, shared, own: experts.slice(shared.length) };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos: failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.stdout.write('chaos: jobs=0 violations=1 unmatched=0 stuck=0\n');
    process.exit(1);
  },
);
