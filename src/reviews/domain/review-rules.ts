/**
 * Review rules beside the request state table: what a review must carry (the expert's counters
 * that a review moves are in src/experts/domain/expert-counters.ts). Pure: no Nest, no TypeORM.
 */

export interface ReviewInput {
  readonly rating: number;
  readonly resolved: boolean;
  readonly comment?: string | null;
}

/** A review saying "not fixed" opens a dispute: the admin needs the customer's words. */
export function reviewProblem(input: ReviewInput): { code: 'missing_field'; param: 'comment'; message: string } | null {
  if (!input.resolved && !input.comment?.trim()) {
    return { code: 'missing_field', param: 'comment', message: '"comment" is required when "resolved" is false.' };
  }
  return null;
}
