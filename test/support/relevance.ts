/** Retrieval figures over a labelled set: each query has one right answer, ranked lists come back. */
export interface Judged {
  /** The right answer's 1-based rank in what came back; null when it did not come back. */
  rank: number | null;
}

/** Share of queries whose answer is in the first `k`. */
export function recallAt(k: number, judged: readonly Judged[]): number {
  return judged.filter((j) => j.rank !== null && j.rank <= k).length / judged.length;
}

/** Mean reciprocal rank: 1 for a first place, 1/2 for a second…, 0 when missing. */
export function meanReciprocalRank(judged: readonly Judged[]): number {
  return judged.reduce((sum, j) => sum + (j.rank === null ? 0 : 1 / j.rank), 0) / judged.length;
}
