import { reviewProblem } from './review-rules';

describe('reviewProblem', () => {
  it('a "not fixed" review needs a comment (missing_field on comment); a "fixed" one does not', () => {
    expect(reviewProblem({ rating: 2, resolved: false })).toMatchObject({ code: 'missing_field', param: 'comment' });
    expect(reviewProblem({ rating: 2, resolved: false, comment: '   ' })).toMatchObject({ param: 'comment' });
    expect(reviewProblem({ rating: 2, resolved: false, comment: 'Still broken.' })).toBeNull();
    expect(reviewProblem({ rating: 5, resolved: true })).toBeNull();
  });

  it('only a "fixed" review may publish the solution (invalid_field on publishSolution)', () => {
    expect(reviewProblem({ rating: 1, resolved: false, comment: 'Still broken.', publishSolution: true })).toMatchObject({ code: 'invalid_field', param: 'publishSolution' });
    expect(reviewProblem({ rating: 1, resolved: false, comment: 'Still broken.', publishSolution: false })).toBeNull();
    expect(reviewProblem({ rating: 5, resolved: true, publishSolution: true })).toBeNull();
  });
});
