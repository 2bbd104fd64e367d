import fc from 'fast-check';
import {
  ExpertForMatching,
  MATCH_WEIGHTS,
  RECOMMENDED_BID_WEIGHTS,
  recommendedBidScore,
  scoreExpertForRequest,
} from './match-score';

const now = new Date('2030-01-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const request = { category: 'networking', language: 'en' };

const perfect: ExpertForMatching = {
  skills: ['networking'],
  languages: ['en'],
  available: true,
  reputation: 100,
  lastActiveAt: now,
  activeJobs: 0,
};
const percent = fc.double({ min: 0, max: 100, noNaN: true });
const stars = fc.double({ min: 1, max: 5, noNaN: true });

const expertArb: fc.Arbitrary<ExpertForMatching> = fc.record({
  skills: fc.subarray(['networking', 'windows', 'printers', 'email']),
  languages: fc.subarray(['en', 'de', 'fr']),
  available: fc.boolean(),
  reputation: fc.oneof(fc.double({ min: -50, max: 150, noNaN: true }), fc.constant(Number.NaN)),
  lastActiveAt: fc.option(fc.integer({ min: -24 * 30, max: 24 * 30 }).map(hoursAgo)),
  activeJobs: fc.integer({ min: -2, max: 50 }),
});

describe('scoreExpertForRequest', () => {
  it('weights sum to 1 and skill outweighs the rest together', () => {
    const sum = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);
    expect(sum(MATCH_WEIGHTS)).toBeCloseTo(1, 12);
    expect(MATCH_WEIGHTS.skill).toBeGreaterThan(sum(MATCH_WEIGHTS) - MATCH_WEIGHTS.skill);
    expect(sum(RECOMMENDED_BID_WEIGHTS)).toBeCloseTo(1, 12);
  });

  it('explains itself in words', () => {
    const expert = { ...perfect, reputation: 92, lastActiveAt: hoursAgo(3), activeJobs: 1 };
    const result = scoreExpertForRequest(expert, request, now);
    expect(result.reasons).toEqual([
      'Skilled in networking',
      'Speaks en',
      'Top-rated (reputation 92)',
      'Available now',
      'Active in the last 24 h',
      'Light workload (1 open job)',
    ]);
    expect(result.score).toBeGreaterThan(0.9);
  });

  it('a perfect fit scores 1, a total miss 0', () => {
    expect(scoreExpertForRequest(perfect, request, now).score).toBe(1);
    const none = { skills: [], languages: [], available: false, reputation: 0, lastActiveAt: null, activeJobs: 1e9 };
    expect(scoreExpertForRequest(none, request, now)).toEqual({ score: expect.closeTo(0, 3), reasons: [] });
  });

  it('is always within 0..1', () => {
    fc.assert(
      fc.property(expertArb, (expert) => {
        const { score } = scoreExpertForRequest(expert, request, now);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is monotone in reputation', () => {
    fc.assert(
      fc.property(expertArb, percent, percent, (expert, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const low = scoreExpertForRequest({ ...expert, reputation: lo }, request, now).score;
        const high = scoreExpertForRequest({ ...expert, reputation: hi }, request, now).score;
        expect(high).toBeGreaterThanOrEqual(low);
      }),
    );
  });

  it('is monotone in skill match, and skill dominates: skilled always beats unskilled', () => {
    fc.assert(
      fc.property(expertArb, expertArb, (a, b) => {
        const without = { ...a, skills: a.skills.filter((s) => s !== 'networking') };
        const withSkill = { ...a, skills: [...without.skills, 'networking'] };
        expect(scoreExpertForRequest(withSkill, request, now).score).toBeGreaterThan(
          scoreExpertForRequest(without, request, now).score,
        );
        const other = { ...b, skills: b.skills.filter((s) => s !== 'networking') };
        expect(scoreExpertForRequest(withSkill, request, now).score).toBeGreaterThan(
          scoreExpertForRequest(other, request, now).score,
        );
      }),
    );
  });

  it('more load never scores higher; recent activity never scores lower', () => {
    fc.assert(
      fc.property(expertArb, fc.nat(20), fc.nat(20), (expert, x, y) => {
        const score = (e: Partial<ExpertForMatching>) => scoreExpertForRequest({ ...expert, ...e }, request, now).score;
        expect(score({ activeJobs: Math.min(x, y) })).toBeGreaterThanOrEqual(score({ activeJobs: Math.max(x, y) }));
        expect(score({ lastActiveAt: hoursAgo(Math.min(x, y) * 10) })).toBeGreaterThanOrEqual(
          score({ lastActiveAt: hoursAgo(Math.max(x, y) * 10) }),
        );
      }),
    );
  });
});

describe('recommendedBidScore', () => {
  const usd = (amount: number) => ({ amount, currency: 'usd' as const });
  const req = { maxBudget: usd(10_000), urgency: 'normal' as const };
  const expert = { reputation: 70, rating: { count: 4, average: 4.5 } };

  it('prefers cheaper, faster, better-rated bids', () => {
    const bid = { amount: usd(8000), etaMinutes: 240 };
    const base = recommendedBidScore(bid, req, expert);
    expect(recommendedBidScore({ ...bid, amount: usd(5000) }, req, expert)).toBeGreaterThan(base);
    expect(recommendedBidScore({ ...bid, etaMinutes: 60 }, req, expert)).toBeGreaterThan(base);
    expect(recommendedBidScore(bid, req, { ...expert, reputation: 90 })).toBeGreaterThan(base);
    expect(recommendedBidScore(bid, req, { ...expert, rating: { count: 4, average: 5 } })).toBeGreaterThan(base);
  });

  it('is within 0..1 and monotone in price and eta', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 500, max: 1_000_000 }),
        fc.integer({ min: 500, max: 1_000_000 }),
        fc.integer({ min: 15, max: 43_200 }),
        fc.integer({ min: 15, max: 43_200 }),
        fc.option(fc.integer({ min: 500, max: 1_000_000 })),
        fc.constantFrom('low' as const, 'normal' as const, 'urgent' as const),
        percent,
        fc.record({ count: fc.nat(100), average: fc.option(stars) }),
        (a1, a2, e1, e2, budget, urgency, reputation, rating) => {
          const r = { maxBudget: budget === null ? null : usd(budget), urgency };
          const x = { reputation, rating };
          const score = (amount: number, eta: number) =>
            recommendedBidScore({ amount: usd(amount), etaMinutes: eta }, r, x);
          const s = score(a1, e1);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
          expect(score(Math.min(a1, a2), e1)).toBeGreaterThanOrEqual(score(Math.max(a1, a2), e1));
          expect(score(a1, Math.min(e1, e2))).toBeGreaterThanOrEqual(score(a1, Math.max(e1, e2)));
        },
      ),
    );
  });
});
