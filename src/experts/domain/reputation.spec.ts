import fc from 'fast-check';
import {
  decayFactor,
  EMPTY_TALLY,
  qualifyingHelpfulVotes,
  QUALITY_PARTS,
  ratingCounts,
  REPUTATION_HALF_LIFE_DAYS,
  reputationFactors,
  reputationScore,
  ReputationEvent,
  ReputationTally,
  reputationAfter,
  reputationTier,
  resolvedOnTime,
  skillReputationScore,
  tallyAfter,
  tallyWithVotes,
} from './reputation';

const DAY = 86_400_000;
const start = new Date('2030-01-01T00:00:00Z');
const day = (n: number) => new Date(start.getTime() + n * DAY);

const job = (at: Date, over: Partial<Extract<ReputationEvent, { kind: 'job' }>> = {}): ReputationEvent => ({
  kind: 'job',
  at,
  completed: true,
  onTime: true,
  refundedShare: 0,
  ...over,
});
const rating = (stars: number, at: Date): ReputationEvent => ({ kind: 'rating', stars, at });
const replay = (events: readonly ReputationEvent[], from: ReputationTally = EMPTY_TALLY) => events.reduce(tallyAfter, from);

/** Events in time order, `gapDays` apart on average: any mix of ratings and finished jobs, good or bad. */
const eventArb = fc.oneof(
  fc.record({ kind: fc.constant('rating' as const), stars: fc.integer({ min: 1, max: 5 }), gap: fc.double({ min: 0, max: 400, noNaN: true }) }),
  fc.record({
    kind: fc.constant('job' as const),
    completed: fc.boolean(),
    onTime: fc.boolean(),
    refundedShare: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    gap: fc.double({ min: 0, max: 400, noNaN: true }),
  }),
);
const historyArb = (maxLength = 60) =>
  fc.tuple(fc.array(eventArb, { maxLength }), fc.nat(2000)).map(([raw, votes]) => {
    let t = start.getTime();
    const events = raw.map((e) => {
      t += e.gap * DAY;
      const at = new Date(t);
      return e.kind === 'rating' ? rating(e.stars, at) : job(at, { completed: e.completed, onTime: e.onTime, refundedShare: e.refundedShare });
    });
    return { tally: tallyWithVotes(replay(events), votes), last: new Date(t) };
  });

describe('reputation: the formula', () => {
  it('no record is 50; quality weights sum to 1', () => {
    expect(reputationScore(EMPTY_TALLY)).toBe(50);
    expect(QUALITY_PARTS.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1, 12);
  });

  it.each([
    ['one perfect job', 1, 52],
    ['five perfect jobs', 5, 60],
    ['ten perfect jobs', 10, 66],
    ['thirty perfect jobs', 30, 78],
    ['a hundred perfect jobs', 100, 85],
  ])('%s (5 stars, on time, no votes) → %i', (_, n, expected) => {
    const events = Array.from({ length: n }, (_, i) => [job(day(i)), rating(5, day(i))]).flat();
    expect(reputationScore(replay(events))).toBe(expected);
  });

  it('factors are ratios of the recency-weighted sums: a refund and a late job among four', () => {
    const t = replay([job(day(0)), job(day(0), { onTime: false }), job(day(0), { completed: false, refundedShare: 1 }), job(day(0), { refundedShare: 0.5 }), rating(4, day(0)), rating(2, day(0))]);
    expect(reputationFactors(tallyWithVotes(t, 7))).toEqual({
      ratingAverage: 3,
      ratingCount: 2,
      onTimeRate: 0.75,
      completionRate: 0.75,
      disputeLossRate: 0.375,
      helpfulVotes: 7,
    });
    expect(reputationFactors(EMPTY_TALLY)).toEqual({ ratingAverage: 0, ratingCount: 0, onTimeRate: 0, completionRate: 0, disputeLossRate: 0, helpfulVotes: 0 });
  });

  it(`recent work weighs more: an event ${REPUTATION_HALF_LIFE_DAYS} days old weighs half`, () => {
    expect(decayFactor(day(0), day(REPUTATION_HALF_LIFE_DAYS))).toBeCloseTo(0.5, 12);
    expect(decayFactor(day(0), day(2 * REPUTATION_HALF_LIFE_DAYS))).toBeCloseTo(0.25, 12);
    expect(decayFactor(day(5), day(0))).toBe(1);
    // A year of 1-star reviews, then a year of 5-star ones: the average leans to the recent.
    const events = [...Array.from({ length: 12 }, (_, i) => rating(1, day(i * 30))), ...Array.from({ length: 12 }, (_, i) => rating(5, day(365 + i * 30)))];
    expect(reputationFactors(replay(events)).ratingAverage).toBeGreaterThan(3.9);
    expect(reputationFactors(replay([...events].reverse().map((e, i) => ({ ...e, at: day(i * 30) })))).ratingAverage).toBeLessThan(2.1);
  });

  it('property: a score never drifts between events: decaying every sum to a later moment changes no score and no factor', () => {
    fc.assert(
      // Whole half-lives, so every product is exact in floating point and equality is exact too.
      fc.property(historyArb(), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 100 }), ({ tally, last }, halfLives, overall) => {
        const asOf = new Date(last.getTime() + halfLives * REPUTATION_HALF_LIFE_DAYS * DAY);
        const f = decayFactor(last, asOf);
        expect(f).toBe(2 ** -halfLives);
        const decayed: ReputationTally = {
          ...tally,
          asOf,
          ratingWeight: tally.ratingWeight * f,
          starWeight: tally.starWeight * f,
          jobWeight: tally.jobWeight * f,
          completedWeight: tally.completedWeight * f,
          onTimeWeight: tally.onTimeWeight * f,
          lossWeight: tally.lossWeight * f,
        };
        expect(reputationScore(decayed)).toBe(reputationScore(tally));
        expect(skillReputationScore(decayed, overall)).toBe(skillReputationScore(tally, overall));
        expect(reputationFactors(decayed)).toEqual(reputationFactors(tally));
      }),
    );
  });
});

describe('reputation: properties', () => {
  it('property: bounded 0..100, overall and per skill', () => {
    fc.assert(
      fc.property(historyArb(), fc.integer({ min: -50, max: 150 }), ({ tally }, overall) => {
        for (const s of [reputationScore(tally), skillReputationScore(tally, overall)]) {
          expect(Number.isInteger(s)).toBe(true);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(100);
        }
      }),
    );
  });

  it('property: a new 5-star never lowers the score, a new 1-star never raises it (overall and per skill)', () => {
    fc.assert(
      fc.property(historyArb(), fc.double({ min: 0, max: 1000, noNaN: true }), fc.integer({ min: 0, max: 100 }), ({ tally, last }, wait, overall) => {
        const at = new Date(last.getTime() + wait * DAY);
        const before = reputationScore(tally);
        expect(reputationScore(tallyAfter(tally, rating(5, at)))).toBeGreaterThanOrEqual(before);
        expect(reputationScore(tallyAfter(tally, rating(1, at)))).toBeLessThanOrEqual(before);
        const skillBefore = skillReputationScore(tally, overall);
        expect(skillReputationScore(tallyAfter(tally, rating(5, at)), overall)).toBeGreaterThanOrEqual(skillBefore);
        expect(skillReputationScore(tallyAfter(tally, rating(1, at)), overall)).toBeLessThanOrEqual(skillBefore);
      }),
    );
  });

  it('property: fixes that stayed fixed — a reopen never raises the score and never lowers it below the record without that completion', () => {
    fc.assert(
      fc.property(historyArb(), fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }), ({ tally, last }, after, warranty) => {
        const completedAt = new Date(last.getTime() + after * DAY);
        const done = tallyAfter(tally, job(completedAt));
        const reopened = tallyAfter(done, { kind: 'reopened', at: new Date(completedAt.getTime() + warranty * DAY), completedAt });
        expect(reputationScore(reopened)).toBeLessThanOrEqual(reputationScore(done));
        expect(reputationFactors(reopened).completionRate).toBeLessThanOrEqual(reputationFactors(done).completionRate);
        // What is taken back is that job's completion only: never more than a failed job would have cost.
        const failed = tallyAfter(tally, job(completedAt, { completed: false }));
        expect(reputationFactors(reopened).completionRate).toBeGreaterThanOrEqual(reputationFactors(failed).completionRate - 1e-9);
        expect(reopened.jobs).toBe(done.jobs);
      }),
    );
  });

  it('one perfect job reopened at once: its completion credit is gone (completionRate 0), the job still counts', () => {
    const done = replay([job(day(0))]);
    const reopened = tallyAfter(done, { kind: 'reopened', at: day(0), completedAt: day(0) });
    expect(reputationFactors(done).completionRate).toBe(1);
    expect(reputationFactors(reopened).completionRate).toBe(0);
    expect(reopened.jobs).toBe(1);
  });

  it('property: a better overall score never lowers a skill score (a poor record follows the expert, a good one gives no head start)', () => {
    fc.assert(
      fc.property(historyArb(20), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), ({ tally }, a, b) => {
        expect(skillReputationScore(tally, Math.max(a, b))).toBeGreaterThanOrEqual(skillReputationScore(tally, Math.min(a, b)));
        expect(skillReputationScore(EMPTY_TALLY, Math.max(a, b))).toBe(Math.min(50, Math.max(a, b)));
      }),
    );
  });

  it('property: a handful of perfect jobs never outrank a long good record', () => {
    // A handful: at most 5 finished jobs, each 5 stars, on time, undisputed, with any number of votes.
    const handful = fc.record({ jobs: fc.integer({ min: 0, max: 5 }), votes: fc.nat(100_000), gap: fc.double({ min: 0, max: 30, noNaN: true }) });
    // A long good record: 30..300 jobs a few days to a month apart, one in 20 refunded after a lost
    // dispute (1 star, late), another one in 10 late (4 stars), a third of the rest 4 stars, the others 5.
    const record = fc.record({ jobs: fc.integer({ min: 30, max: 300 }), offset: fc.nat(19), gap: fc.double({ min: 0, max: 30, noNaN: true }) });
    fc.assert(
      fc.property(handful, record, (h, r) => {
        const newcomer = tallyWithVotes(
          replay(Array.from({ length: h.jobs }, (_, i) => [job(day(i * h.gap)), rating(5, day(i * h.gap))]).flat()),
          h.votes,
        );
        const events: ReputationEvent[] = [];
        for (let i = 0; i < r.jobs; i++) {
          const at = day(i * r.gap);
          const k = i + r.offset;
          const lost = k % 20 === 7;
          const late = lost || k % 10 === 3;
          events.push(job(at, { completed: !lost, onTime: !late, refundedShare: lost ? 1 : 0 }));
          events.push(rating(lost ? 1 : late || k % 3 === 0 ? 4 : 5, at));
        }
        const veteran = replay(events);
        expect(reputationScore(newcomer)).toBeLessThan(reputationScore(veteran));
        // In a skill too, each pulled toward their own overall score.
        expect(skillReputationScore(newcomer, reputationScore(newcomer))).toBeLessThan(skillReputationScore(veteran, reputationScore(veteran)));
      }),
    );
  });

  it('property: replaying the same events in one go or in two halves gives the same tally (the stored tally is a fold)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), fc.nat(30), (raw, cut) => {
        let t = start.getTime();
        const events = raw.map((e) => {
          t += e.gap * DAY;
          return e.kind === 'rating' ? rating(e.stars, new Date(t)) : job(new Date(t), e);
        });
        const whole = replay(events);
        const halves = replay(events.slice(cut), replay(events.slice(0, cut)));
        expect(reputationScore(halves)).toBe(reputationScore(whole));
        expect(halves.jobs).toBe(whole.jobs);
        expect(halves.jobWeight).toBeCloseTo(whole.jobWeight, 9);
      }),
    );
  });
});

describe('reputation: anti-gaming rules', () => {
  it(`one customer's ratings of one expert count once per 30 days`, () => {
    expect(ratingCounts(null, day(0))).toBe(true);
    expect(ratingCounts(day(0), day(1))).toBe(false);
    expect(ratingCounts(day(0), new Date(day(30).getTime() - 1))).toBe(false);
    expect(ratingCounts(day(0), day(30))).toBe(true);
  });

  it('property: a rating flood from one customer moves the score as much as its counted ratings, at most one per 30 days', () => {
    fc.assert(
      fc.property(historyArb(20), fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { minLength: 1, maxLength: 40 }), ({ tally, last }, gaps) => {
        let lastCounted: Date | null = null;
        let counted = 0;
        let t = last.getTime();
        let flooded = tally;
        for (const gap of gaps) {
          t += gap * DAY;
          const at = new Date(t);
          if (!ratingCounts(lastCounted, at)) continue;
          lastCounted = at;
          counted++;
          flooded = tallyAfter(flooded, rating(1, at));
        }
        const spanDays = (t - last.getTime()) / DAY;
        expect(counted).toBeLessThanOrEqual(Math.floor(spanDays / 30) + 1);
        expect(flooded.ratings - tally.ratings).toBe(counted);
      }),
    );
  });

  it('helpful votes count only from accounts that paid for a job, never the expert themself', () => {
    const votes = [
      { voterId: 'paying-customer', voterHasPaid: true },
      { voterId: 'fresh-account-1', voterHasPaid: false },
      { voterId: 'fresh-account-2', voterHasPaid: false },
      { voterId: 'expert', voterHasPaid: true },
    ];
    expect(qualifyingHelpfulVotes('expert', votes)).toBe(1);
  });

  it('property: throwaway accounts move nothing, however many', () => {
    fc.assert(
      fc.property(historyArb(20), fc.nat(50), fc.nat(100_000), ({ tally }, paid, throwaways) => {
        const votes = [
          ...Array.from({ length: paid }, (_, i) => ({ voterId: `paid-${i}`, voterHasPaid: true })),
          ...Array.from({ length: throwaways }, (_, i) => ({ voterId: `fresh-${i}`, voterHasPaid: false })),
        ];
        const withFlood = tallyWithVotes(tally, qualifyingHelpfulVotes('expert', votes));
        const without = tallyWithVotes(tally, paid);
        expect(reputationScore(withFlood)).toBe(reputationScore(without));
      }),
    );
  });

  it('more qualifying votes never lower the score', () => {
    fc.assert(
      fc.property(historyArb(20), fc.nat(1000), fc.nat(1000), ({ tally }, a, b) => {
        expect(reputationScore(tallyWithVotes(tally, Math.max(a, b)))).toBeGreaterThanOrEqual(reputationScore(tallyWithVotes(tally, Math.min(a, b))));
      }),
    );
  });
});

describe('reputation: on time and tiers', () => {
  it('on time = resolved within the accepted bid\'s etaMinutes of funding', () => {
    const fundedAt = day(0);
    const after = (minutes: number) => new Date(fundedAt.getTime() + minutes * 60_000);
    expect(resolvedOnTime({ fundedAt, resolvedAt: after(60), etaMinutes: 60 })).toBe(true);
    expect(resolvedOnTime({ fundedAt, resolvedAt: after(61), etaMinutes: 60 })).toBe(false);
    expect(resolvedOnTime({ fundedAt, resolvedAt: null, etaMinutes: 60 })).toBe(false);
    expect(resolvedOnTime({ fundedAt: null, resolvedAt: after(1), etaMinutes: 60 })).toBe(false);
  });

  it.each([
    [99, 0, 'new'],
    [99, 2, 'new'],
    [40, 3, 'rising'],
    [70, 5, 'trusted'],
    [69, 50, 'rising'],
    [85, 19, 'trusted'],
    [85, 20, 'top'],
    [84, 100, 'trusted'],
  ])('reputationTier(%i, %i) = %s', (score, jobs, tier) => {
    expect(reputationTier(score, jobs)).toBe(tier);
  });

  it('a lucky start is not top: five perfect jobs stay below trusted, thirty reach it', () => {
    const perfect = (n: number) => replay(Array.from({ length: n }, (_, i) => [job(day(i)), rating(5, day(i))]).flat());
    expect(reputationTier(reputationScore(perfect(5)), 5)).toBe('rising');
    expect(reputationTier(reputationScore(perfect(30)), 30)).toBe('trusted');
  });
});

describe('reputationAfter: the overall score and every skill move together', () => {
  const skills = (entries: Array<[string, ReputationTally]>, overall: number) =>
    new Map(entries.map(([skill, tally]) => [skill, { tally, score: skillReputationScore(tally, overall) }]));

  it("a job counts overall and in its category; other skills move only when their prior (the overall score, capped at 50) does", () => {
    const bad = replay([job(day(0), { completed: false, refundedShare: 1, onTime: false }), rating(1, day(0))]);
    const before = { overall: bad, score: reputationScore(bad), skills: skills([['printers', bad], ['windows', EMPTY_TALLY]], reputationScore(bad)) };
    expect(before.score).toBeLessThan(50);
    const { after, changedSkills } = reputationAfter(before, { category: 'printers', events: [job(day(1)), rating(5, day(1))] });
    expect(after.overall.jobs).toBe(2);
    expect(after.skills.get('printers')!.tally.jobs).toBe(2);
    expect(after.skills.get('windows')!.tally).toEqual(EMPTY_TALLY);
    // The overall score rose, and below 50 it is the windows prior: windows' score moved with it.
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.skills.get('windows')!.score).toBe(Math.min(50, after.score));
    expect(changedSkills).toEqual(['printers', 'windows']);
  });

  it('above 50 the other skills stay as they were; a new category gets its row', () => {
    const good = replay(Array.from({ length: 20 }, (_, i) => [job(day(i)), rating(5, day(i))]).flat());
    const before = { overall: good, score: reputationScore(good), skills: skills([['windows', good], ['email', EMPTY_TALLY]], reputationScore(good)) };
    const { after, changedSkills } = reputationAfter(before, { category: 'cloud', events: [job(day(30)), rating(5, day(30))] });
    expect(changedSkills).toEqual(['cloud']);
    expect(after.skills.get('cloud')!.tally.jobs).toBe(1);
    expect(after.skills.get('email')!.score).toBe(50);
  });

  it('a votes recount sets the total overall and each category its own, zero where none', () => {
    const before = { overall: EMPTY_TALLY, score: 50, skills: skills([['windows', tallyWithVotes(EMPTY_TALLY, 3)]], 50) };
    const { after, changedSkills } = reputationAfter(before, { helpfulVotes: { total: 4, byCategory: new Map([['email', 4]]) } });
    expect(after.overall.helpfulVotes).toBe(4);
    expect(after.skills.get('email')!.tally.helpfulVotes).toBe(4);
    expect(after.skills.get('windows')!.tally.helpfulVotes).toBe(0);
    expect(changedSkills).toEqual(['email', 'windows']);
  });

  it('nothing to change changes nothing', () => {
    const before = { overall: EMPTY_TALLY, score: 50, skills: skills([['windows', EMPTY_TALLY]], 50) };
    expect(reputationAfter(before, {}).changedSkills).toEqual([]);
  });
});
