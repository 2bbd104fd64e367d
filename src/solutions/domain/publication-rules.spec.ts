import { publishProblem } from './publication-rules';

const completed = { status: 'completed', solutionSummary: 'Reset the print spooler and reinstalled the driver.', unpublishedReason: null };

describe('publishing a solution', () => {
  it('a completed request with a summary, never taken down, may be published', () => {
    expect(publishProblem(completed)).toBeNull();
  });

  it.each(['open', 'awaiting_payment', 'in_progress', 'resolved', 'disputed', 'refunded', 'cancelled', 'expired'])(
    'a %s request may not (409 request_not_completed)',
    (status) => {
      expect(publishProblem({ ...completed, status })).toMatchObject({ code: 'request_not_completed' });
    },
  );

  it('without the expert\'s summary there is nothing public to publish (the note is private): 422 no_solution_summary', () => {
    expect(publishProblem({ ...completed, solutionSummary: null })).toMatchObject({ code: 'no_solution_summary' });
    expect(publishProblem({ ...completed, solutionSummary: '' })).toMatchObject({ code: 'no_solution_summary' });
  });

  it('a solution an admin took down stays down for the customer: 422 solution_moderated', () => {
    expect(publishProblem({ ...completed, unpublishedReason: 'Contains a phone number.' })).toMatchObject({ code: 'solution_moderated' });
  });

  it('the state is checked before the summary, the summary before moderation', () => {
    expect(publishProblem({ status: 'resolved', solutionSummary: null, unpublishedReason: 'x' })).toMatchObject({ code: 'request_not_completed' });
    expect(publishProblem({ ...completed, solutionSummary: null, unpublishedReason: 'x' })).toMatchObject({ code: 'no_solution_summary' });
  });
});
