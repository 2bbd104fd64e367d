import type { Equation } from './equation';

export interface JobResult {
  scenario: string;
  requestId: string;
  outcome: string;
  ok: boolean;
  ms: number;
}

const money = (cents: number) => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
};

function table(rows: string[][], rightAligned: number[] = []): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r, i) => {
      const text = r.map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
      return i === 0 ? `${text}\n${'-'.repeat(text.length)}` : text;
    })
    .join('\n');
}

/** Jobs by the outcome they ended in (failed ones by their scenario). */
export function outcomesTable(results: JobResult[]): string {
  const byOutcome = new Map<string, { jobs: number; seconds: number[] }>();
  for (const r of results) {
    const key = r.ok ? r.outcome : `FAILED (${r.scenario})`;
    const entry = byOutcome.get(key) ?? { jobs: 0, seconds: [] };
    entry.jobs += 1;
    entry.seconds.push(r.ms / 1000);
    byOutcome.set(key, entry);
  }
  const rows = [...byOutcome.entries()]
    .sort((a, b) => b[1].jobs - a[1].jobs || a[0].localeCompare(b[0]))
    .map(([outcome, e]) => [outcome, String(e.jobs), (e.seconds.reduce((a, b) => a + b, 0) / e.jobs).toFixed(1)]);
  return table([['jobs by outcome', 'jobs', 'avg s'], ...rows, ['total', String(results.length), '']], [1, 2]);
}

/** The ledger's accounts as GET /v1/admin/ledger reports them. */
export function accountsTable(balances: Record<string, number>): string {
  const rows = Object.entries(balances).map(([account, cents]) => [account, money(cents)]);
  return table([['money by account (ledger, usd)', 'balance'], ...rows], [1]);
}

/** The equation, term by term, and Stripe's totals against the ledger's. */
export function equationTable(equation: Equation): string {
  const rows = [
    ...equation.moneyIn.map((t) => [`in:  ${t.name}`, t.source, money(t.amount)]),
    ...equation.moneyOut.map((t) => [`out: ${t.name}`, t.source, money(t.amount)]),
    ['in − out (must be 0.00)', '', money(equation.difference)],
  ];
  const checks = equation.crossChecks.map((c) => [c.name, money(c.stripe), money(c.ledger), c.stripe === c.ledger ? 'ok' : 'DIFFERENT']);
  return `${table([['money in = money out + held + fees + losses + owed', 'from', 'usd'], ...rows], [2])}\n\n${table([['Stripe against the ledger', 'Stripe', 'ledger', ''], ...checks], [1, 2])}`;
}

export { money };
