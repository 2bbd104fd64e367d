import type { LoadSummary, Scenario } from './load';

export interface Row {
  scenario: Scenario;
  label: string;
  summary?: LoadSummary;
  /** Why there is no summary (the route does not answer yet, the run failed). */
  skipped?: string;
  rssPeakMb: number;
  /** process.memoryUsage() at the sample where RSS peaked. */
  memoryAtPeak?: NodeJS.MemoryUsage;
  /** After the row, once settled and collected: what stays. */
  memoryAfterGc?: NodeJS.MemoryUsage;
  serverCpuMs?: number;
  dbCpuMs?: number;
}

export interface Target {
  minRatio: number;
  maxP99Ms?: number;
}

/** Issue 3, item 10. */
export const TARGETS: Partial<Record<Scenario, Target>> = {
  feed: { minRatio: 0.25, maxP99Ms: 100 },
  search: { minRatio: 0.2 },
  bid: { minRatio: 0.1 },
};

export function ratioOf(row: Row, ceiling: Row): number | undefined {
  const base = ceiling.summary?.requestsPerSecond;
  if (!row.summary || !base) return undefined;
  return row.summary.requestsPerSecond / base;
}

export function verdict(row: Row, ceiling: Row): string {
  const target = TARGETS[row.scenario];
  if (!target) return '';
  const ratio = ratioOf(row, ceiling);
  if (ratio === undefined) return 'MISSED (no result)';
  const misses: string[] = [];
  if (ratio < target.minRatio) misses.push(`ratio < ${target.minRatio}`);
  if (target.maxP99Ms !== undefined && row.summary!.p99 > target.maxP99Ms) misses.push(`p99 > ${target.maxP99Ms} ms`);
  // A route that mostly answers errors is fast for the wrong reason.
  if (row.summary!.non2xx > row.summary!.total * 0.01) misses.push('non-2xx > 1%');
  const want = `≥ ${target.minRatio}${target.maxP99Ms !== undefined ? `, p99 ≤ ${target.maxP99Ms} ms` : ''}`;
  return misses.length ? `MISSED (${misses.join(', ')}; target ${want})` : `ok (target ${want})`;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

export function renderTable(rows: Row[]): string {
  const ceiling = rows.find((r) => r.scenario === 'ceiling')!;
  const header = ['route', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'non-2xx', 'errors', 'server RSS MB', 'app CPU ms/req', 'db CPU ms/req', 'target'];
  const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
  const body = rows.map((row) => {
    const s = row.summary;
    if (!s) return [row.label, '-', '-', '-', '-', '-', '-', '-', '-', '-', `MISSED (${row.skipped ?? 'no result'})`];
    const ratio = ratioOf(row, ceiling);
    return [
      row.label,
      s.requestsPerSecond.toFixed(0),
      s.p50.toFixed(1),
      s.p99.toFixed(1),
      ratio === undefined ? '-' : ratio.toFixed(2),
      String(s.non2xx),
      String(s.errors),
      row.rssPeakMb.toFixed(0),
      ms(row.serverCpuMs),
      ms(row.dbCpuMs),
      verdict(row, ceiling),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const lines = [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map((b) => pad(b, widths))];
  return lines.map((l) => l.trimEnd()).join('\n');
}

/** The last line of the output, read by scripts: `bench: feed=R search=R bid=R`. */
export function summaryLine(rows: Row[]): string {
  const ceiling = rows.find((r) => r.scenario === 'ceiling')!;
  const r = (scenario: Scenario) => {
    const row = rows.find((x) => x.scenario === scenario);
    const ratio = row ? ratioOf(row, ceiling) : undefined;
    return ratio === undefined ? '0.00' : ratio.toFixed(2);
  };
  return `bench: feed=${r('feed')} search=${r('search')} bid=${r('bid')}`;
}

/** Status codes other than 2xx, e.g. "409×12 429×3", for the notes under the table. */
export function oddStatuses(summary: LoadSummary): string {
  return Object.entries(summary.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
}

/** The mix's requests by kind: how many, their latency, and any status other than 2xx. */
export function mixBreakdown(summary: LoadSummary): string {
  const lines = Object.entries(summary.kinds ?? {}).map(([kind, k]) => {
    const odd = Object.entries(k.statusCodes)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    return `    ${kind.padEnd(8)} ${String(k.count).padStart(6)} (${((k.count / Math.max(1, summary.total)) * 100).toFixed(1).padStart(4)} %)  p50 ${k.p50.toFixed(1).padStart(6)} ms  p99 ${k.p99.toFixed(1).padStart(6)} ms${odd ? `  ${odd}` : ''}`;
  });
  return ['  mix by kind (confirm = the customer paying at the in-process Stripe sandbox):', ...lines].join('\n');
}

/** Issue 11, item 6: the server under 64 connections. */
export const RSS_LIMIT_MB = 300;

/**
 * Where the server process's memory sits: idle before the rows (after a GC) and at each row's
 * RSS peak. The process also runs the Stripe sandbox and holds the bench's fixtures and tokens,
 * which are named so they are not mistaken for the server's.
 */
export function memoryReport(idle: NodeJS.MemoryUsage, fixturesMb: number, rows: Row[]): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0).padStart(5);
  const parts = (m: NodeJS.MemoryUsage) =>
    `RSS ${mb(m.rss)} MB = JS heap ${mb(m.heapTotal)} (used ${mb(m.heapUsed)}) + buffers ${mb(m.arrayBuffers)} + native/code ${mb(Math.max(0, m.rss - m.heapTotal - m.arrayBuffers))}`;
  const lines = [
    `memory of the server process (it also runs the in-process Stripe sandbox; the bench's fixtures and tokens take ~${fixturesMb.toFixed(0)} MB of its heap):`,
    `  ${'idle, before the rows'.padEnd(44)} ${parts(idle)}`,
  ];
  for (const row of rows) {
    if (!row.memoryAtPeak) continue;
    const over = row.memoryAtPeak.rss / 1024 / 1024 > RSS_LIMIT_MB ? `  OVER ${RSS_LIMIT_MB} MB` : '';
    const kept = row.memoryAfterGc ? `; after it, collected: heap used ${mb(row.memoryAfterGc.heapUsed).trim()}, RSS ${mb(row.memoryAfterGc.rss).trim()}` : '';
    lines.push(`  ${row.label.trim().slice(0, 44).padEnd(44)} ${parts(row.memoryAtPeak)}${over}${kept}`);
  }
  return lines.join('\n');
}
