/**
 * Review rules beside the request state table: what a review must carry (the expert's counters
 * that a review moves are in src/experts/domain/expert-counters.ts). Pure: no Nest, no TypeORM.
 */

export interface ReviewInput {
  readonly rating: number;
  readonly resolved: boolean;
  readonly comment?: string | null;
  readonly publishSolution?: boolean;
}

export interface ReviewProblem {
  readonly code: 'missing_field' | 'invalid_field';
  readonly param: 'comment' | 'publishSolution';
  readonly message: string;
}

/**
 * A review saying "not fixed" opens a dispute: the admin needs the customer's words. Nor can it
 * publish the solution: only a completed request's is published (later, if the dispute ends so).
 */
export function reviewProblem(input: ReviewInput): ReviewProblem | null {
  if (!input.resolved && !input.comment?.trim()) {
    return { code: 'missing_field', param: 'comment', message: '"comment" is required when "resolved" is false.' };
  }
  if (!input.resolved && input.publishSolution) {
    return { code: 'invalid_field', param: 'publishSolution', message: '"publishSolution" needs "resolved": true; a solution that did not fix the problem is not published.' };
  }
  return null;
}
