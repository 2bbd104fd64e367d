import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Rules of the code's shape, checked over the source text: one owner writes a request's state,
 * one owner writes an escrow's, row locks are taken only by the lock helper and the lifecycles,
 * modules are not looked up at run time, and domain rules carry codes, not HTTP statuses.
 * Each rule is first shown a snippet that breaks it, so the rule itself is known to work.
 */
const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

interface Rule {
  name: string;
  patterns: RegExp[];
  /** Files allowed to do it. */
  owners: string[];
  /** Only these files are checked (default: all of src/). */
  scope?: (path: string) => boolean;
  /** A snippet that breaks the rule: the patterns must catch it. */
  breaks: string;
}

const RULES: Rule[] = [
  {
    name: 'only the request lifecycle writes help_requests.status',
    patterns: [
      /UPDATE\s+"?help_requests"?\s+(?:\w+\s+)?SET\b[^`;]*?\bstatus\s*=/i,
      /getRepository\(HelpRequest\)\s*\.\s*(?:update|save|insert|upsert|increment|decrement)\s*\(/,
      /\.into\(HelpRequest\)/,
      /\.update\(HelpRequest\b/,
    ],
    owners: ['src/requests/request-lifecycle.service.ts'],
    breaks: "await em.getRepository(HelpRequest).update(id, { status: 'completed' });",
  },
  {
    name: 'only the escrow lifecycle writes escrows.status, payout_status, frozen and the partner columns',
    patterns: [
      /UPDATE\s+"?escrows"?\s+(?:\w+\s+)?SET\b[^`;]*?\b(?:status|payout_status|frozen|partner_id|partner_share_bps|partner_payout_status|partner_transfer_id)\s*=/i,
      /getRepository\(Escrow\)\s*\.\s*update\s*\([^)]*\b(?:status|payoutStatus|frozen|partnerId|partnerShareBps|partnerPayoutStatus|partnerTransferId)\s*:/,
      /\.into\(Escrow\)/,
      /\.update\(Escrow\b/,
    ],
    owners: ['src/payments/escrow-lifecycle.service.ts'],
    breaks: "await em.query(`UPDATE escrows SET payout_status = 'paid' WHERE id = $1`, [id]);",
  },
  {
    name: 'row locks of the marketplace are taken by the lock helper and the request lifecycle only (the one lock order)',
    patterns: [/\bFOR\s+UPDATE\b/i, /pessimistic_write/, /pg_advisory_xact_lock/],
    owners: ['src/database/locks.ts', 'src/requests/request-lifecycle.service.ts'],
    // Accounts (users, refresh tokens) are their own aggregate: locked alone, never with a request.
    // The webhook dispatcher takes its queue rows (events to fan out, deliveries to send) with SKIP
    // LOCKED, alone in their own transactions: never beside a marketplace row.
    scope: (path) => !path.startsWith('src/auth/') && !path.startsWith('src/admin/') && path !== 'src/webhooks/webhook-dispatcher.service.ts',
    breaks: "await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });",
  },
  {
    name: 'modules depend downward: no service is looked up at run time',
    patterns: [/\bModuleRef\b/, /moduleRef\.(?:get|resolve)\(/],
    owners: [],
    breaks: "return this.moduleRef.get(DisputeOpeningService, { strict: false });",
  },
  {
    name: 'domain rules import nothing from Nest or TypeORM and carry no HTTP status',
    patterns: [/from\s+'@nestjs\//, /from\s+'typeorm'/, /\bstatus:\s*[45]\d\d\b/],
    owners: [],
    scope: (path) => path.includes('/domain/'),
    breaks: "return { ok: false, code: 'bid_over_budget', status: 422, message };",
  },
];

describe('source rules', () => {
  it.each(RULES.map((r) => [r.name, r] as const))('%s', (_name, rule) => {
    // The rule can fail: its patterns catch a snippet that breaks it.
    expect(rule.patterns.some((p) => p.test(rule.breaks))).toBe(true);
    const offenders = files
      .filter((f) => (rule.scope ? rule.scope(f.path) : true) && !rule.owners.includes(f.path))
      .flatMap((f) => rule.patterns.filter((p) => p.test(f.text)).map((p) => `${f.path} matches ${p}`));
    expect(offenders).toEqual([]);
  });

  it('the owners named above exist (a renamed owner would silently widen a rule)', () => {
    const paths = new Set(files.map((f) => f.path));
    for (const owner of RULES.flatMap((r) => r.owners)) expect(paths.has(owner)).toBe(true);
  });
});
