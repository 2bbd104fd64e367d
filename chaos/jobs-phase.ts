import { Pool } from 'pg';
import { FailNextOptions } from '../src/stripe-sandbox';
import { Actor, Api } from './api';
import { Cluster } from './cluster';
import { Deal, World } from './deal';
import { connectAccountOf } from './people';
import { JobResult } from './report';
import { Scenario } from './scenarios';
import { ledgerReport } from './settle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stripe answering badly now and then, as it does: acted and lost the answer, or dropped the connection first. */
const STRIPE_FAULTS: Array<[string, FailNextOptions]> = [
  ['POST /v1/transfers', { status: 500, applyFirst: true }],
  ['POST /v1/refunds', { status: 503, applyFirst: true }],
  ['POST /v1/payment_intents', { status: 'reset' }],
  ['POST /v1/transfers/*/reversals', { status: 502, applyFirst: true }],
  ['GET /v1/payment_intents/*', { status: 500 }],
];

export interface People {
  customers: Actor[];
  /** A partner's users (partner scenarios). */
  partnerCustomers: Actor[];
  /** Experts any job may use. */
  shared: Actor[];
  /** Experts kept for one job each (ownExpert scenarios). */
  own: Actor[];
}

export interface Kill {
  server: string;
  atS: number;
  inFlight: number;
  backAfterS: number;
}

export interface JobsPhase {
  results: JobResult[];
  ms: number;
  kill?: Kill;
  faults: { armed: number; hit: number };
  /** The violation codes of each ledger report sampled while the jobs ran. */
  samples: string[][];
}

/**
 * Every job at once (their starts spread over a short ramp), each a scenario with its own deal;
 * Stripe API faults armed every few seconds; the admin's ledger report sampled every 2 s; and,
 * once every job has started and a quarter have ended, one server killed with SIGKILL and started
 * again under the jobs still in flight.
 */
export async function runJobs(world: World, cluster: Cluster, mix: Scenario[], people: People, random: () => number, admin: Actor): Promise<JobsPhase> {
  const started = Date.now();
  const results: JobResult[] = [];
  const faults = armStripeFaults(cluster);
  const samples = sampleLedger(world.api, admin);
  const killer = new Killer(cluster.servers[Math.floor(random() * cluster.servers.length)], started);
  const killAt = Math.ceil(mix.length * 0.25);
  const rampMs = Math.min(15_000, mix.length * 60);
  const own = [...people.own];
  let begun = 0;
  let inFlight = 0;

  await Promise.all(
    mix.map(async (scenario, index) => {
      await sleep(Math.floor((index * rampMs) / mix.length));
      const expert = scenario.ownExpert ? (own.shift() as Actor) : people.shared[index % people.shared.length];
      const loser = people.shared[(index + 1) % people.shared.length];
      const customers = scenario.partner ? people.partnerCustomers : people.customers;
      const deal = new Deal(world, customers[index % customers.length], expert, 500 + Math.floor(random() * 9000));
      begun += 1;
      inFlight += 1;
      const result = await runOne(scenario, deal, { index, loser: loser.id === expert.id ? undefined : loser, pool: world.pool });
      inFlight -= 1;
      results.push(result);
      if (results.length >= killAt && begun === mix.length) killer.strike(inFlight);
    }),
  );
  const kill = await killer.done();
  const hit = faults.stop();
  return { results, ms: Date.now() - started, kill, faults: hit, samples: await samples.stop() };
}

async function runOne(scenario: Scenario, deal: Deal, job: { index: number; loser?: Actor; pool: Pool }): Promise<JobResult> {
  const started = Date.now();
  try {
    const outcome = await scenario.run(deal, { index: job.index, loser: job.loser, accountOf: (id) => connectAccountOf(job.pool, id) });
    return { scenario: scenario.name, requestId: deal.requestId, outcome, ok: true, ms: Date.now() - started };
  } catch (err) {
    return { scenario: scenario.name, requestId: deal.requestId, outcome: (err as Error).message, ok: false, ms: Date.now() - started };
  }
}

/** kill -9 one server once, a second's pause, then start it again on its port. */
class Killer {
  private struck: Promise<Kill> | undefined;

  constructor(
    private readonly victim: Cluster['servers'][number],
    private readonly runStarted: number,
  ) {}

  strike(inFlight: number): void {
    if (this.struck) return;
    this.struck = (async () => {
      const atS = (Date.now() - this.runStarted) / 1000;
      await this.victim.kill();
      const down = Date.now();
      await sleep(1000);
      await this.victim.start();
      return { server: this.victim.name, atS, inFlight, backAfterS: (Date.now() - down) / 1000 };
    })();
  }

  async done(): Promise<Kill | undefined> {
    return this.struck;
  }
}

/** Arms one Stripe API fault every 3 s, cycling through STRIPE_FAULTS; stop() says how many were armed and hit. */
function armStripeFaults(cluster: Cluster): { stop(): { armed: number; hit: number } } {
  let armed = 0;
  let turn = 0;
  const timer = setInterval(() => {
    const [path, options] = STRIPE_FAULTS[turn++ % STRIPE_FAULTS.length];
    // One fault of a kind at a time: armed again while the last one still waits (no such call
    // came meanwhile, e.g. while a server restarts), they would stack into an outage longer than
    // the SDK's retries, and the 503 the contract gives then is not what this run is about.
    if (cluster.sandbox.faults.pending().requests.some((f) => f.remaining > 0 && f.pattern === path)) return;
    cluster.sandbox.faults.failNext(path, options);
    armed += 1;
  }, 3000);
  return {
    stop: () => {
      clearInterval(timer);
      const left = cluster.sandbox.faults.pending().requests.reduce((n, f) => n + f.remaining, 0);
      cluster.sandbox.faults.clear();
      return { armed, hit: armed - left };
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
