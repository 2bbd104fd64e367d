/**
 * When a solution may be published (contract §3 "Solutions", "Resolution, review"). Pure: no
 * Nest, no TypeORM. Only the expert's public summary is ever published, never the private
 * resolution note: without a summary there is nothing to publish.
 */

/** A refusal, with the API's code (the service throws it as a DomainError). */
export interface PublishRefusal {
  readonly ok: false;
  readonly code: 'request_not_completed' | 'no_solution_summary' | 'solution_moderated';
  readonly message: string;
}

export interface PublicationFacts {
  readonly status: string;
  readonly solutionSummary: string | null;
  readonly unpublishedReason: string | null;
}

/**
 * Why the customer may not publish now, or null: the request must be completed, have a summary,
 * and not have been taken down by an admin (moderation is not undone by the customer). At review
 * the request is about to complete: pass it with `status: 'completed'`.
 */
export function publishProblem(facts: PublicationFacts): PublishRefusal | null {
  if (facts.status !== 'completed') {
    return { ok: false, code: 'request_not_completed', message: `Only a completed request's solution can be published; this one is ${facts.status}.` };
  }
  if (!facts.solutionSummary) {
    return { ok: false, code: 'no_solution_summary', message: 'The expert wrote no public solution summary; the private resolution note is never published.' };
  }
  if (facts.unpublishedReason !== null) {
    return { ok: false, code: 'solution_moderated', message: 'An admin took this solution down; it cannot be published again.' };
  }
  return null;
}
