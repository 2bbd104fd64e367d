/**
 * Matching (contract §3 "Experts", "Bids" sort=recommended): which experts fit a request and
 * which bid to show first, given the expert's reputation in the request's category (how that is
 * scored: src/experts/domain/reputation.ts). Pure: `now` comes in.
 */
import { Money } from '../../payments/domain/money';

export interface ExpertForMatching {
  readonly skills: readonly string[];
  readonly languages: readonly string[];
  readonly available: boolean;
  /** The expert's reputation in the request's category, 0..100 (src/experts/domain/reputation.ts). */
  readonly reputation: number;
  readonly lastActiveAt: Date | null;
  /** Accepted jobs not yet completed, refunded or cancelled. */
  readonly activeJobs: number;
}

export interface RequestForMatching {
  readonly category: string;
  readonly language: string;
}

export interface MatchScore {
  /** 0..1, four decimals. */
  readonly score: number;
  /** Human-readable, strongest first; only what speaks for the expert. */
  readonly reasons: string[];
}

/**
 * Weights sum to 1. Skill outweighs all the others together (0.55 > 0.45), so an expert skilled
 * in the category always ranks above one who is not, whatever else is true.
 */
export const MATCH_WEIGHTS = {
  skill: 0.55,
  language: 0.12,
  reputation: 0.12,
  availability: 0.1,
  recentActivity: 0.06,
  workload: 0.05,
} as const;

export const TOP_RATED_REPUTATION = 80;
export const WELL_RATED_REPUTATION = 60;
const HOUR_MS = 3_600_000;
const RECENT_DAYS = 7;

/** Activity: full within 24 h, half within 7 days, nothing after (or never). */
function activityFactor(lastActiveAt: Date | null, now: Date): { factor: number; reason?: string } {
  if (!lastActiveAt) return { factor: 0 };
  const hours = Math.max(0, (now.getTime() - lastActiveAt.getTime()) / HOUR_MS);
  if (hours <= 24) return { factor: 1, reason: 'Active in the last 24 h' };
  if (hours <= RECENT_DAYS * 24) return { factor: 0.5, reason: 'Active in the last 7 days' };
  return { factor: 0 };
}

/** Workload: 1 / (1 + open jobs), so 0 jobs → 1, 1 → 0.5, 3 → 0.25; more load, lower score. */
function workloadFactor(activeJobs: number): { factor: number; reason?: string } {
  const jobs = Number.isFinite(activeJobs) ? Math.max(0, Math.floor(activeJobs)) : 0;
  const factor = 1 / (1 + jobs);
  if (jobs === 0) return { factor, reason: 'No open jobs' };
  if (jobs <= 2) return { factor, reason: `Light workload (${jobs} open job${jobs === 1 ? '' : 's'})` };
  return { factor };
}

export function clampReputation(reputation: number): number {
  return Number.isFinite(reputation) ? Math.min(100, Math.max(0, reputation)) : 0;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function scoreExpertForRequest(
  expert: ExpertForMatching,
  request: RequestForMatching,
  now: Date,
): MatchScore {
  const reasons: string[] = [];
  const skilled = expert.skills.includes(request.category);
  if (skilled) reasons.push(`Skilled in ${request.category}`);
  const speaks = expert.languages.includes(request.language);
  if (speaks) reasons.push(`Speaks ${request.language}`);
  const reputation = clampReputation(expert.reputation);
  if (reputation >= TOP_RATED_REPUTATION) reasons.push(`Top-rated (reputation ${Math.round(reputation)})`);
  else if (reputation >= WELL_RATED_REPUTATION) reasons.push(`Well-rated (reputation ${Math.round(reputation)})`);
  if (expert.available) reasons.push('Available now');
  const activity = activityFactor(expert.lastActiveAt, now);
  if (activity.reason) reasons.push(activity.reason);
  const workload = workloadFactor(expert.activeJobs);
  if (workload.reason) reasons.push(workload.reason);

  const w = MATCH_WEIGHTS;
  const raw =
    w.skill * (skilled ? 1 : 0) +
    w.language * (speaks ? 1 : 0) +
    w.reputation * (reputation / 100) +
    w.availability * (expert.available ? 1 : 0) +
    w.recentActivity * activity.factor +
    w.workload * workload.factor;
  return { score: round4(clamp01(raw)), reasons };
}

export interface RatingSummary {
  readonly count: number;
  /** Mean of the 1..5 ratings; null (or ignored) when count is 0. */
  readonly average: number | null;
}

export interface BidForRanking {
  readonly amount: Money;
  readonly etaMinutes: number;
}

export interface RequestForRanking {
  readonly maxBudget: Money | null;
  readonly urgency: 'low' | 'normal' | 'urgent';
}

export interface ExpertForRanking {
  readonly reputation: number;
  readonly rating: RatingSummary;
}

export const RECOMMENDED_BID_WEIGHTS = { price: 0.35, reputation: 0.3, eta: 0.2, rating: 0.15 } as const;

/** The eta that scores one half; an urgent request cares about an hour, a low one about a day. */
export const ETA_HALF_SCORE_MINUTES = { urgent: 60, normal: 240, low: 1440 } as const;

/**
 * `sort=recommended`, 0..1, higher first:
 *   price  = 1 − (amount / maxBudget) / 2, so a bid at the budget scores 0.5 and a cheaper one more;
 *            0.5 when there is no budget (nothing to compare against) or the currencies differ;
 *   eta    = h / (h + etaMinutes), h from ETA_HALF_SCORE_MINUTES by urgency;
 *   reputation = reputation / 100;
 *   rating = 0.5 + ((average − 1) / 4 − 0.5) × n / (n + 3): the shown star average, pulled to
 *            neutral while there are few ratings.
 * Weighted by RECOMMENDED_BID_WEIGHTS (sum 1). Cheaper, faster and better-rated never scores lower.
 */
export function recommendedBidScore(
  bid: BidForRanking,
  request: RequestForRanking,
  expert: ExpertForRanking,
): number {
  const budget = request.maxBudget;
  const price =
    budget && budget.currency === bid.amount.currency && budget.amount > 0
      ? clamp01(1 - Math.min(1, Math.max(0, bid.amount.amount / budget.amount)) / 2)
      : 0.5;
  const half = ETA_HALF_SCORE_MINUTES[request.urgency] ?? ETA_HALF_SCORE_MINUTES.normal;
  const eta = half / (half + Math.max(0, bid.etaMinutes));
  const reputation = clampReputation(expert.reputation) / 100;
  const { count, average } = expert.rating;
  const n = count > 0 && average !== null && Number.isFinite(average) ? count : 0;
  const stars = n > 0 ? (Math.min(5, Math.max(1, average as number)) - 1) / 4 : 0.5;
  const rating = 0.5 + (stars - 0.5) * (n / (n + 3));
  const w = RECOMMENDED_BID_WEIGHTS;
  return round4(clamp01(w.price * price + w.reputation * reputation + w.eta * eta + w.rating * rating));
}
