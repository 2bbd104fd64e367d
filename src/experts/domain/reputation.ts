/**
 * Reputation (contract §3 "Experts"; README "How reputation scores"): what an expert's record
 * adds up to, overall and per skill, and the rules that keep it hard to game. Pure: no Nest, no
 * TypeORM; every time comes in as an argument.
 *
 * The record is kept as a tally of recency-weighted sums (each event weighs 2^(−age / half-life))
 * plus plain lifetime counts. The score reads the weighted sums only as ratios of two sums decayed
 * to the same moment, and the counts only as amounts of evidence, so decaying a tally to a later
 * moment never changes its score: the stored score stays exact until the next event, and a read
 * computes nothing and writes nothing.
 */

export const REPUTATION_HALF_LIFE_DAYS = 180;
/** One customer's ratings of one expert count once per this many days. */
export const RATING_DEDUPE_DAYS = 30;
/** Where an expert with no record stands (0..1), and how many finished jobs it takes to move halfway from there. */
export const REPUTATION_PRIOR = { quality: 0.5, jobs: 10 } as const;
/** The star average is read as if every expert also had 5 ratings of 3 stars. */
export const STAR_PRIOR = { ratings: 5, stars: 3 } as const;
/** The qualifying helpful votes that make the votes part 0.5 (v / (v + 20)). */
export const HELPFUL_VOTES_HALF = 20;

const DAY_MS = 86_400_000;
const HALF_LIFE_MS = REPUTATION_HALF_LIFE_DAYS * DAY_MS;

export type ReputationTier = 'new' | 'rising' | 'trusted' | 'top';

/**
 * An expert's record, overall or in one skill. The `…Weight` sums are decayed to `asOf`; `ratings`,
 * `jobs` and `helpfulVotes` are plain counts.
 */
export interface ReputationTally {
  /** When the weighted sums were last decayed to; null before the first event. */
  readonly asOf: Date | null;
  /** Σ w over the ratings that count (see ratingCounts). */
  readonly ratingWeight: number;
  /** Σ w·stars over the same ratings. */
  readonly starWeight: number;
  /** How many ratings count, ever. */
  readonly ratings: number;
  /** Σ w over finished jobs: money went to the expert (completed) or back to the customer (refunded). */
  readonly jobWeight: number;
  /** Σ w over finished jobs that completed (the expert was paid, in full or in part). */
  readonly completedWeight: number;
  /** Σ w over finished jobs resolved within the accepted bid's etaMinutes of funding. */
  readonly onTimeWeight: number;
  /** Σ w·(refunded share) over finished jobs whose customer dispute an admin settled with a refund or split. */
  readonly lossWeight: number;
  /** How many jobs finished, ever. */
  readonly jobs: number;
  /** Helpful votes on the expert's solutions from accounts that paid for a job (see qualifyingHelpfulVotes). */
  readonly helpfulVotes: number;
}

export const EMPTY_TALLY: ReputationTally = {
  asOf: null,
  ratingWeight: 0,
  starWeight: 0,
  ratings: 0,
  jobWeight: 0,
  completedWeight: 0,
  onTimeWeight: 0,
  lossWeight: 0,
  jobs: 0,
  helpfulVotes: 0,
};

/**
 * What moves a tally: a rating that counts, or a job that finished. `refundedShare` is the part
 * of the held amount an admin refunded when settling the customer's dispute (1 refund, 0 release,
 * refundAmount / amount for a split), 0 for a job that finished without one.
 *
 * "Fixes that stayed fixed": `reopened` — the owner reopened a completed job under its warranty —
 * takes back that job's completion credit (the weight it was given when it completed, decayed to
 * now), so `completionRate` reads as "completed and stayed fixed". The job still counts as a
 * finished job; the reopened round's own outcome adds no second job (a warranty dispute's loss
 * counts through `lossWeight`).
 */
export type ReputationEvent =
  | { readonly kind: 'rating'; readonly stars: number; readonly at: Date }
  | { readonly kind: 'job'; readonly at: Date; readonly completed: boolean; readonly onTime: boolean; readonly refundedShare: number }
  | { readonly kind: 'reopened'; readonly at: Date; readonly completedAt: Date };

const finite = (x: number, fallback = 0) => (Number.isFinite(x) ? x : fallback);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, finite(x, lo)));

/** 2^(−(to − from) / half-life): how much an event at `from` still weighs at `to` (1 if `to` is not later). */
export function decayFactor(from: Date, to: Date): number {
  const age = Math.max(0, to.getTime() - from.getTime());
  return Math.pow(2, -age / HALF_LIFE_MS);
}

/**
 * The tally with one more event. The sums are first decayed to the later of `asOf` and the event's
 * time, and the event weighs 1 there (less if it is older than `asOf`, as a clock a little behind
 * another process's may make it), so the sums always describe one moment.
 */
export function tallyAfter(before: ReputationTally, event: ReputationEvent): ReputationTally {
  const at = event.at;
  const asOf = before.asOf && before.asOf.getTime() > at.getTime() ? before.asOf : at;
  const keep = before.asOf ? decayFactor(before.asOf, asOf) : 1;
  const w = decayFactor(at, asOf);
  const decayed = {
    ...before,
    asOf,
    ratingWeight: before.ratingWeight * keep,
    starWeight: before.starWeight * keep,
    jobWeight: before.jobWeight * keep,
    completedWeight: before.completedWeight * keep,
    onTimeWeight: before.onTimeWeight * keep,
    lossWeight: before.lossWeight * keep,
  };
  if (event.kind === 'rating') {
    const stars = Math.round(clamp(event.stars, 1, 5));
    return { ...decayed, ratingWeight: decayed.ratingWeight + w, starWeight: decayed.starWeight + w * stars, ratings: before.ratings + 1 };
  }
  if (event.kind === 'reopened') {
    // The fix did not stay: the completion credit the job earned, as it weighs now, is taken back.
    return { ...decayed, completedWeight: Math.max(0, decayed.completedWeight - decayFactor(event.completedAt, asOf)) };
  }
  return {
    ...decayed,
    jobWeight: decayed.jobWeight + w,
    completedWeight: decayed.completedWeight + (event.completed ? w : 0),
    onTimeWeight: decayed.onTimeWeight + (event.onTime ? w : 0),
    lossWeight: decayed.lossWeight + w * clamp(event.refundedShare, 0, 1),
    jobs: before.jobs + 1,
  };
}

/** The tally with its helpful votes recounted (votes are counted, not decayed: a fix that helps keeps helping). */
export function tallyWithVotes(before: ReputationTally, helpfulVotes: number): ReputationTally {
  return { ...before, helpfulVotes: Math.max(0, Math.floor(finite(helpfulVotes))) };
}

/**
 * Anti-gaming rule 1: a rating counts toward reputation unless the same customer's rating of the
 * same expert already counted within the last RATING_DEDUPE_DAYS. (It still shows in the expert's
 * plain star average, `rating`, which every review moves.)
 */
export function ratingCounts(lastCountedAt: Date | null, at: Date): boolean {
  return lastCountedAt === null || at.getTime() - lastCountedAt.getTime() >= RATING_DEDUPE_DAYS * DAY_MS;
}

export interface HelpfulVote {
  readonly voterId: string;
  /** The voter has funded at least one escrow as a customer. */
  readonly voterHasPaid: boolean;
}

/**
 * Anti-gaming rule 2: a helpful vote moves reputation only when it comes from an account that has
 * paid for at least one job, and never from the expert themself; so a flood of fresh accounts
 * moves nothing (they still show in a solution's `helpfulCount`). One vote per (solution, voter)
 * is the votes table's primary key.
 */
export function qualifyingHelpfulVotes(expertId: string, votes: readonly HelpfulVote[]): number {
  return votes.filter((v) => v.voterHasPaid && v.voterId !== expertId).length;
}

/** On time: resolved within the accepted bid's etaMinutes of the escrow's funding (when the work could start). */
export function resolvedOnTime(job: { fundedAt: Date | null; resolvedAt: Date | null; etaMinutes: number | null }): boolean {
  if (!job.fundedAt || !job.resolvedAt || job.etaMinutes === null) return false;
  return job.resolvedAt.getTime() - job.fundedAt.getTime() <= job.etaMinutes * 60_000;
}

/** 1..5; the ratings' recency-weighted mean pulled toward 3 stars while there are few. */
function shrunkStars(t: ReputationTally): number {
  const average = t.ratingWeight > 0 ? clamp(t.starWeight / t.ratingWeight, 1, 5) : STAR_PRIOR.stars;
  const n = Math.max(0, t.ratings);
  return (average * n + STAR_PRIOR.stars * STAR_PRIOR.ratings) / (n + STAR_PRIOR.ratings);
}

const rate = (part: number, whole: number) => (whole > 0 ? clamp(part / whole, 0, 1) : 0);

/**
 * What the quality of a record is made of, each part 0..1, weights summing to 1. Add a part here
 * (and its factor) to weigh something new; see the extension point on ReputationEvent.
 */
export const QUALITY_PARTS = [
  { part: 'stars', weight: 0.45, value: (t: ReputationTally) => (shrunkStars(t) - 1) / 4 },
  { part: 'completion', weight: 0.2, value: (t: ReputationTally) => rate(t.completedWeight, t.jobWeight) },
  { part: 'onTime', weight: 0.15, value: (t: ReputationTally) => rate(t.onTimeWeight, t.jobWeight) },
  { part: 'noDisputeLoss', weight: 0.1, value: (t: ReputationTally) => (t.jobWeight > 0 ? 1 - rate(t.lossWeight, t.jobWeight) : 0) },
  { part: 'helpfulVotes', weight: 0.1, value: (t: ReputationTally) => t.helpfulVotes / (t.helpfulVotes + HELPFUL_VOTES_HALF) },
] as const;

/** 0..1: the weighted parts of the record, before it is weighed against how long the record is. */
export function quality(t: ReputationTally): number {
  return clamp(
    QUALITY_PARTS.reduce((sum, p) => sum + p.weight * p.value(t), 0),
    0,
    1,
  );
}

/** Quality pulled toward `prior` by REPUTATION_PRIOR.jobs pseudo-jobs, as 0..100. */
function shrunkScore(t: ReputationTally, prior: number): number {
  const n = Math.max(0, Math.floor(finite(t.jobs)));
  const k = REPUTATION_PRIOR.jobs;
  return Math.round(clamp((100 * (quality(t) * n + prior * k)) / (n + k), 0, 100));
}

/**
 * The overall score, 0..100:
 *   score = round(100 × (quality × jobs + 0.5 × 10) / (jobs + 10))
 * so no record is 50, five perfect jobs are at most 67, and only a long record gets near its quality.
 */
export function reputationScore(t: ReputationTally): number {
  return shrunkScore(t, REPUTATION_PRIOR.quality);
}

/**
 * A skill's score: the same formula over the jobs in that category, pulled toward the expert's
 * overall score capped at 50, so a new category starts at neutral at best, and a poor record
 * follows the expert into every category they add.
 */
export function skillReputationScore(t: ReputationTally, overallScore: number): number {
  return shrunkScore(t, Math.min(REPUTATION_PRIOR.quality, clamp(overallScore, 0, 100) / 100));
}

export interface ReputationFactors {
  /** The counted ratings' recency-weighted mean, two decimals; 0 while there is none. */
  readonly ratingAverage: number;
  readonly ratingCount: number;
  /** Shares of finished jobs, recency-weighted, three decimals; 0 while no job has finished. */
  readonly onTimeRate: number;
  readonly completionRate: number;
  readonly disputeLossRate: number;
  readonly helpfulVotes: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The factors shown beside the score: ratios of the stored sums, so they need no decay either. */
export function reputationFactors(t: ReputationTally): ReputationFactors {
  return {
    ratingAverage: t.ratingWeight > 0 ? round(clamp(t.starWeight / t.ratingWeight, 1, 5), 2) : 0,
    ratingCount: t.ratings,
    onTimeRate: round(rate(t.onTimeWeight, t.jobWeight), 3),
    completionRate: round(rate(t.completedWeight, t.jobWeight), 3),
    disputeLossRate: round(rate(t.lossWeight, t.jobWeight), 3),
    helpfulVotes: t.helpfulVotes,
  };
}

/**
 * Tiers need both a score and a track record, so a lucky start is not "top":
 * fewer than 3 completed jobs → new; score ≥ 85 with ≥ 20 jobs → top; score ≥ 70 with ≥ 5 jobs →
 * trusted; otherwise rising.
 */
export function reputationTier(score: number, completedJobs: number): ReputationTier {
  if (completedJobs < 3) return 'new';
  if (score >= 85 && completedJobs >= 20) return 'top';
  if (score >= 70 && completedJobs >= 5) return 'trusted';
  return 'rising';
}

/** An expert's whole reputation: the overall tally and score, and each skill's. */
export interface ExpertReputation {
  readonly overall: ReputationTally;
  readonly score: number;
  readonly skills: ReadonlyMap<string, { readonly tally: ReputationTally; readonly score: number }>;
}

/**
 * What changes it: the events of one job (they count overall and in the job's category), and/or
 * a recount of the qualifying helpful votes (overall and by the solutions' categories).
 */
export interface ReputationChange {
  readonly category?: string;
  readonly events?: readonly ReputationEvent[];
  readonly helpfulVotes?: { readonly total: number; readonly byCategory: ReadonlyMap<string, number> };
}

/**
 * The reputation after a change, and the skills whose row must be written: the job's category,
 * recounted ones, and every skill whose score moved because the overall score (their prior) did.
 */
export function reputationAfter(before: ExpertReputation, change: ReputationChange): { after: ExpertReputation; changedSkills: string[] } {
  const events = change.events ?? [];
  let overall = events.reduce(tallyAfter, before.overall);
  if (change.helpfulVotes) overall = tallyWithVotes(overall, change.helpfulVotes.total);
  const score = reputationScore(overall);
  const names = new Set([...before.skills.keys(), ...(change.category ? [change.category] : []), ...(change.helpfulVotes?.byCategory.keys() ?? [])]);
  const skills = new Map<string, { tally: ReputationTally; score: number }>();
  const changedSkills: string[] = [];
  for (const skill of names) {
    const old = before.skills.get(skill);
    let tally = old?.tally ?? EMPTY_TALLY;
    if (skill === change.category) tally = events.reduce(tallyAfter, tally);
    if (change.helpfulVotes) tally = tallyWithVotes(tally, change.helpfulVotes.byCategory.get(skill) ?? 0);
    const next = { tally, score: skillReputationScore(tally, score) };
    skills.set(skill, next);
    if (!old || old.score !== next.score || !sameTally(old.tally, tally)) changedSkills.push(skill);
  }
  return { after: { overall, score, skills }, changedSkills: changedSkills.sort() };
}

function sameTally(a: ReputationTally, b: ReputationTally): boolean {
  return (Object.keys(a) as Array<keyof ReputationTally>).every((k) => (k === 'asOf' ? a.asOf?.getTime() === b.asOf?.getTime() : a[k] === b[k]));
}

/**
 * How much of a settled dispute counts against the expert (the job's refundedShare): what an admin
 * refunded of the price, for the disputes a customer opens about the work (`customer`, and
 * `warranty` after a reopen). A chargeback is the bank's decision, often about fraud rather than
 * the fix, so it counts nothing.
 */
export function disputeLossShare(dispute: { kind: string; outcome: string; refundAmount: number; amount: number }): number {
  if (dispute.kind !== 'customer' && dispute.kind !== 'warranty') return 0;
  if (dispute.outcome === 'refund') return 1;
  if (dispute.outcome === 'split' && dispute.amount > 0) return clamp(dispute.refundAmount / dispute.amount, 0, 1);
  return 0;
}
