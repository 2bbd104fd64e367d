/**
 * `sort=recommended` (and `sort=reputation`) over one request's bids: scores from
 * src/matching/domain (the bidder's reputation in the request's category), then keyset pages over
 * (score DESC, id DESC) in memory. Plain TypeScript, no Nest, no database.
 */
import type { Currency } from '../payments/domain/money';
import { RatingSummary, recommendedBidScore } from '../matching/domain/match-score';
import { EMPTY_TALLY, reputationTier, ReputationTier, skillReputationScore } from '../experts/domain/reputation';
import { compareKeys, isAfter, Page, SortDirection, toPage } from '../common/pagination/keyset';

/** The public facts about a bidder that the owner sees and the ranking weighs. */
export interface BidderProfile {
  readonly displayName: string;
  readonly rating: RatingSummary;
  readonly reputationScore: number;
  readonly tier: ReputationTier;
  /** The bidder's reputation in the request's category: what sort=recommended and sort=reputation weigh. */
  readonly skill: { readonly skill: string; readonly score: number; readonly jobs: number };
}

/** The expert_profiles columns the ranking needs, with the request category's skill row; null without a profile. */
export interface ProfileFacts {
  readonly ratingCount: number;
  readonly ratingSum: number;
  readonly reputationScore: number;
  readonly completedJobs: number;
  /** The expert_skill_reputation row of the request's category: null when the expert has none there. */
  readonly skill: { readonly score: number; readonly jobs: number } | null;
}

/**
 * No profile → zeros and tier `new`, as the contract shows a new expert. The average is rounded
 * to two decimals like the public profile; null while there are no ratings (shown as 0), so the
 * recommended score treats the expert as unrated rather than as a one-star one. Without a row in
 * the category, its score is what an empty record there scores (the overall score, capped at 50).
 */
export function bidderProfile(displayName: string, profile: ProfileFacts | null, category: string): BidderProfile {
  const count = profile?.ratingCount ?? 0;
  const average = count > 0 ? Math.round((profile!.ratingSum / count) * 100) / 100 : null;
  const reputationScore = profile?.reputationScore ?? 0;
  const skill = !profile
    ? { skill: category, score: 0, jobs: 0 }
    : { skill: category, score: profile.skill?.score ?? skillReputationScore(EMPTY_TALLY, reputationScore), jobs: profile.skill?.jobs ?? 0 };
  return {
    displayName,
    rating: { count, average },
    reputationScore,
    tier: reputationTier(reputationScore, profile?.completedJobs ?? 0),
    skill,
  };
}

export interface RankableBid {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly etaMinutes: number;
}

export interface RankingRequest {
  readonly maxBudgetAmount: number | null;
  readonly maxBudgetCurrency: string | null;
  readonly urgency: 'low' | 'normal' | 'urgent';
}

export function recommendedScoreOf(bid: RankableBid, request: RankingRequest, bidder: BidderProfile): number {
  const maxBudget =
    request.maxBudgetAmount !== null && request.maxBudgetCurrency !== null
      ? { amount: request.maxBudgetAmount, currency: request.maxBudgetCurrency as Currency }
      : null;
  return recommendedBidScore(
    { amount: { amount: bid.amount, currency: bid.currency as Currency }, etaMinutes: bid.etaMinutes },
    { maxBudget, urgency: request.urgency },
    { reputation: bidder.skill.score, rating: bidder.rating },
  );
}

export interface Ranked<B> {
  readonly bid: B;
  readonly score: number;
}

const byNumber = (x: number, y: number) => x - y;

/**
 * Best first: score descending, then id descending as the tie-breaker, so the order is total and
 * a cursor `(score, id)` names one place in it. The page continues strictly after the cursor,
 * which is what `paginate()` does in SQL; a bid whose score changed between pages may move.
 */
export function pageRecommended<B extends { id: string }>(
  ranked: readonly Ranked<B>[],
  limit: number,
  after: { score: number; id: string } | null,
  toCursor: (item: Ranked<B>) => string,
): Page<Ranked<B>> {
  return pageRanked(ranked, limit, after, toCursor, 'DESC');
}

/** As pageRecommended, in either direction: ASC is lowest score first, then id ascending. */
export function pageRanked<B extends { id: string }>(
  ranked: readonly Ranked<B>[],
  limit: number,
  after: { score: number; id: string } | null,
  toCursor: (item: Ranked<B>) => string,
  direction: SortDirection,
): Page<Ranked<B>> {
  const key = (r: Ranked<B>) => ({ sort: r.score, id: r.bid.id });
  const sorted = [...ranked].sort((a, b) => (direction === 'DESC' ? compareKeys(key(b), key(a), byNumber) : compareKeys(key(a), key(b), byNumber)));
  const rest = after ? sorted.filter((r) => isAfter(key(r), { sort: after.score, id: after.id }, direction, byNumber)) : sorted;
  return toPage(rest.slice(0, limit + 1), limit, (r) => r, toCursor);
}
