import type { AdminDesk } from './admin-desk';
import type { Api } from './api';
import type { Cluster } from './cluster';
import type { ScenarioClock } from './clock';
import type { Equation } from './equation';
import type { JobsPhase } from './jobs-phase';
import type { Matching, StripeWorld } from './matching';
import { accountsTable, equationTable, outcomesTable } from './report';
import type { LedgerView, Settled } from './settle';
import type { Shares } from './shares';

/**
 * The ledger report's own invariants (M1, M2, M3, M6, M9): each holds at every commit, so they must
 * hold in every report, mid-run too. Its other codes come from the last reconciliation with Stripe,
 * which can see an operation half-way (Stripe answered, our commit not made yet).
 */
export const LEDGER_INVARIANTS = [
  'unbalanced_transaction',
  'escrow_held_mismatch',
  'escrow_balance_mismatch',
  'overspent',
  'refund_mismatch',
  'payout_mismatch',
  'partner_share_mismatch',
  'partner_payout_mismatch',
  'chargeback_mismatch',
  'holdback_mismatch',
];

export interface Findings {
  jobs: JobsPhase;
  ledger: LedgerView;
  equation: Equation;
  matching: Matching;
  shares: Shares;
  stuck: string[];
  settled: Settled;
  reconciled: boolean;
  api: Api;
  desk: AdminDesk;
}

/** Everything that breaks the claim "no cent is lost", in words: each counts as one violation. */
export function violationsOf(f: Findings): string[] {
  return [
    ...f.ledger.violations.map((v) => `ledger: ${v.code}: ${v.message}`),
    ...(f.equation.difference !== 0 ? [`money equation off by ${f.equation.difference}`] : []),
    ...f.equation.crossChecks.filter((c) => c.stripe !== c.ledger).map((c) => `${c.name}: Stripe ${c.stripe}, ledger ${c.ledger}`),
    ...f.shares.problems.map((p) => `holdback or partner share: ${p}`),
    ...f.jobs.results.filter((r) => !r.ok).map((r) => `job ${r.scenario} (request ${r.requestId || 'not posted'}): ${r.outcome}`),
    ...f.api.serverErrors.map((e) => `${e.status} ${e.code} on ${e.method} ${e.path}`),
    ...f.desk.refusals.map((r) => `admin desk: ${r}`),
    ...f.desk.unplanned.map((u) => `a ${u.kind} dispute nobody expected on request ${u.requestId}`),
    ...f.jobs.samples.flatMap((codes, i) => codes.filter((c) => LEDGER_INVARIANTS.includes(c)).map((c) => `mid-run ledger report ${i + 1}: ${c}`)),
    ...(f.settled.quiet ? [] : [`the system did not settle within 60 s: ${JSON.stringify(f.settled.busy)}`]),
    ...(f.reconciled ? [] : ['no reconciliation ran after the system settled']),
  ];
}

/** The tables, what the chaos did, and the items behind any non-zero count. */
export function printReport(log: (line?: string) => void, f: Findings, stripe: StripeWorld, cluster: Cluster, clock: ScenarioClock, violations: string[]): void {
  for (const part of [outcomesTable(f.jobs.results), accountsTable(f.ledger.balances), equationTable(f.equation)]) log(`\n${part}`);
  log('');
  const m = f.matching.matched;
  log(
    `Stripe objects matched one to one: ${m.paymentIntents} PaymentIntents paid, ${m.transfers} Transfers, ${m.reversals} Reversals, ` +
      `${m.refunds} Refunds, ${m.lostDisputes} lost chargebacks (of ${stripe.paymentIntents.length} PaymentIntents, ${stripe.disputes.length} disputes at Stripe)`,
  );
  const purposes = Object.entries(f.matching.byPurpose).map(([purpose, c]) => `${purpose} ${c.transfers} Transfers, ${c.reversals} Reversals`);
  log(`by whose money: ${purposes.join('; ') || 'none'}; ${f.shares.checked.holdbacks} warranty holdbacks and ${f.shares.checked.partnerShares} partner shares followed to the cent`);
  const webhooks = cluster.sandbox.webhookChaos();
  const kill = f.jobs.kill;
  log(
    `chaos: webhooks ${webhooks.duplicated} duplicated, ${webhooks.delayed} delayed, ${webhooks.reordered} reordered ` +
      `(${cluster.front.counts.forwarded} deliveries, ${cluster.front.counts.failedOver} failed over to the other server); ` +
      `${f.jobs.faults.hit} Stripe API faults hit (of ${f.jobs.faults.armed} armed); ` +
      (kill ? `${kill.server} SIGKILLed at ${kill.atS.toFixed(1)} s with ${kill.inFlight} jobs in flight, serving again ${kill.backAfterS.toFixed(1)} s later; ` : 'no kill; ') +
      `${clock.counts.elapsed} windows let pass by the clock; client: ${f.api.counts.calls} calls, ${f.api.counts.connectionsLost} lost connections, ` +
      `${f.api.counts.inUseWaits} waits on a dead process's idempotency key; admin settled ${f.desk.settled.length} disputes`,
  );
  if (f.api.retriedAfterLoss.length) {
    const answers = f.api.retriedAfterLoss.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')} → ${r.status}${r.code ? ` ${r.code}` : ''}`);
    log(`POSTs cut off by the kill and retried with their Idempotency-Key: ${answers.join('; ')}`);
  }
  const samples = f.jobs.samples;
  const fromStripe = [...new Set(samples.flat().filter((code) => !LEDGER_INVARIANTS.includes(code)))];
  log(
    `mid-run GET /v1/admin/ledger: ${samples.filter((codes) => codes.length === 0).length} of ${samples.length} reports ok, ` +
      `${samples.filter((codes) => codes.some((c) => LEDGER_INVARIANTS.includes(c))).length} broke a ledger invariant` +
      (fromStripe.length ? `; reconciliation, comparing with Stripe while operations were under way, named ${fromStripe.join(', ')}` : ''),
  );
  for (const [title, items] of [['violations', violations], ['unmatched', f.matching.unmatched], ['stuck', f.stuck]] as const) {
    if (items.length === 0) continue;
    log(`\n${title}:`);
    for (const item of items.slice(0, 40)) log(`  - ${item}`);
    if (items.length > 40) log(`  … and ${items.length - 40} more`);
  }
  if (violations.length) for (const server of cluster.servers) log(`\nlast lines of ${server.name}'s log:\n${server.logTail(15)}`);
}
