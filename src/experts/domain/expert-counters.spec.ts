import fc from 'fast-check';
import { countersAfter, ExpertCounters } from './expert-counters';

const fresh: ExpertCounters = { ratingSum: 0, ratingCount: 0, completedJobs: 0, activeJobs: 1 };

describe('countersAfter', () => {
  it('a resolved review: rating counted, job completed, load down', () => {
    expect(countersAfter(fresh, { rating: 5, finished: 'completed' })).toEqual({ ratingSum: 5, ratingCount: 1, completedJobs: 1, activeJobs: 0 });
  });

  it('auto-release: completed without a rating; a refund ends the job without completing it', () => {
    const rated = { ...fresh, ratingSum: 9, ratingCount: 2 };
    expect(countersAfter(rated, { finished: 'completed' })).toEqual({ ...rated, completedJobs: 1, activeJobs: 0 });
    expect(countersAfter(rated, { finished: 'refunded' })).toEqual({ ...rated, activeJobs: 0 });
  });

  it('a "not fixed" review counts its rating but leaves the job active (an admin decides)', () => {
    expect(countersAfter(fresh, { rating: 1 })).toMatchObject({ ratingCount: 1, ratingSum: 1, activeJobs: 1, completedJobs: 0 });
  });

  it('property: counts never go negative and the star rating is the sum of every rating', () => {
    const step = fc.record({ rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), finished: fc.constantFrom(undefined, 'completed' as const, 'refunded' as const) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let counters: ExpertCounters = { ...fresh, activeJobs: 0 };
        const ratings: number[] = [];
        for (const s of steps) {
          counters = countersAfter(counters, s);
          if (s.rating !== undefined) ratings.push(s.rating);
        }
        expect(counters.activeJobs).toBeGreaterThanOrEqual(0);
        expect(counters.ratingCount).toBe(ratings.length);
        expect(counters.ratingSum).toBe(ratings.reduce((a, b) => a + b, 0));
      }),
    );
  });
});
