import fc from 'fast-check';
import { SortDirection } from '../common/pagination/keyset';
import { bidderProfile, pageRanked, pageRecommended, Ranked } from './bid-ranking';

type Item = Ranked<{ id: string }>;
const cursorOf = (r: Item) => JSON.stringify({ score: r.score, id: r.bid.id });

/** Follows the cursors to the end, as a client does. */
function walk(items: Item[], limit: number, direction: SortDirection = 'DESC'): Item[] {
  const seen: Item[] = [];
  let after: { score: number; id: string } | null = null;
  for (;;) {
    const page = pageRanked(items, limit, after, cursorOf, direction);
    seen.push(...page.data);
    if (!page.nextCursor) return seen;
    after = JSON.parse(page.nextCursor) as { score: number; id: string };
  }
}

describe('bid ranking', () => {
  it('no profile → zeros and tier new; a profile → two-decimal average, its tier and its score in the category', () => {
    expect(bidderProfile('Una', null, 'email')).toEqual({
      displayName: 'Una',
      rating: { count: 0, average: null },
      reputationScore: 0,
      tier: 'new',
      skill: { skill: 'email', score: 0, jobs: 0 },
    });
    expect(bidderProfile('Sam', { ratingCount: 3, ratingSum: 14, reputationScore: 90, completedJobs: 30, skill: { score: 81, jobs: 12 } }, 'email')).toEqual({
      displayName: 'Sam',
      rating: { count: 3, average: 4.67 },
      reputationScore: 90,
      tier: 'top',
      skill: { skill: 'email', score: 81, jobs: 12 },
    });
  });

  it('a category the bidder has no row in scores as an empty record there: the overall score, capped at 50', () => {
    const facts = { ratingCount: 0, ratingSum: 0, completedJobs: 0, skill: null };
    expect(bidderProfile('Ann', { ...facts, reputationScore: 90 }, 'email').skill).toEqual({ skill: 'email', score: 50, jobs: 0 });
    expect(bidderProfile('Bob', { ...facts, reputationScore: 30 }, 'email').skill).toEqual({ skill: 'email', score: 30, jobs: 0 });
  });

  it('pages best first: score descending, id descending on ties', () => {
    const items: Item[] = [
      { bid: { id: 'a' }, score: 0.5 },
      { bid: { id: 'b' }, score: 0.9 },
      { bid: { id: 'c' }, score: 0.5 },
    ];
    expect(walk(items, 1).map((r) => r.bid.id)).toEqual(['b', 'c', 'a']);
  });

  it('P3 any limit walks every bid exactly once, in the order of one big page', () => {
    const item = fc.record({ bid: fc.record({ id: fc.uuid() }), score: fc.integer({ min: 0, max: 20 }).map((n) => n / 20) });
    fc.assert(
      fc.property(fc.uniqueArray(item, { selector: (r) => r.bid.id, maxLength: 40 }), fc.integer({ min: 1, max: 10 }), (items, limit) => {
        const whole = pageRecommended(items, 1000, null, cursorOf).data;
        expect(walk(items, limit)).toEqual(whole);
      }),
    );
  });

  it('P3 ascending (sort=amount, sort=eta): lowest first, id ascending on ties, any limit walks each bid once', () => {
    const items: Item[] = [
      { bid: { id: 'b' }, score: 3000 },
      { bid: { id: 'a' }, score: 3000 },
      { bid: { id: 'c' }, score: 1500 },
    ];
    expect(walk(items, 1, 'ASC').map((r) => r.bid.id)).toEqual(['c', 'a', 'b']);
    const item = fc.record({ bid: fc.record({ id: fc.uuid() }), score: fc.integer({ min: 500, max: 520 }) });
    fc.assert(
      fc.property(fc.uniqueArray(item, { selector: (r) => r.bid.id, maxLength: 40 }), fc.integer({ min: 1, max: 10 }), (items, limit) => {
        const whole = pageRanked(items, 1000, null, cursorOf, 'ASC').data;
        expect(whole.map((r) => r.score)).toEqual(items.map((r) => r.score).sort((x, y) => x - y));
        expect(walk(items, limit, 'ASC')).toEqual(whole);
      }),
    );
  });

  it('P3 a bid added between pages is never shown twice and never drops the rest', () => {
    const items: Item[] = Array.from({ length: 6 }, (_, i) => ({ bid: { id: `b${i}` }, score: i / 10 }));
    const first = pageRecommended(items, 3, null, cursorOf);
    const grown = [...items, { bid: { id: 'new-top' }, score: 0.99 }, { bid: { id: 'new-low' }, score: 0.01 }];
    const rest = pageRecommended(grown, 100, JSON.parse(first.nextCursor!), cursorOf);
    const shown = [...first.data, ...rest.data].map((r) => r.bid.id);
    expect(new Set(shown).size).toBe(shown.length);
    for (const r of items) expect(shown).toContain(r.bid.id);
    expect(shown).toContain('new-low');
  });
});
