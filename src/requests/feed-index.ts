/**
 * The expert feed's index, from the request's side. A pairing (request_matches row) carries
 * `feed_until` while the feed may still show it — its request is open and its expert has no bid
 * on it (any bid status: a withdrawn bid keeps the request out of that expert's feed) — set to the
 * request's bidding close; NULL otherwise. The partial index IDX_request_matches_feed holds only
 * those rows, so a feed call reads about `limit` of them and runs no anti-join per row
 * (GET /v1/experts/me/feed, src/matching/expert-feed.service.ts).
 *
 * Who keeps it true (migrations/1796034000000-FeedIndex.ts):
 * - a trigger on help_requests, when a request enters `open` (a lapsed payment reopens it), leaves
 *   it for awaiting_payment (a bid accepted), or moves its bidding close while open (an edit);
 *   leaving for a final state deletes the pairings (help_requests_prune_matches, older);
 * - a trigger on bids: a new bid takes its own pairing out;
 * - matching, which writes pairings (a post, a profile change), computes FEED_UNTIL as it inserts.
 * A withdrawal changes nothing (see above). Scores are a snapshot taken when the pairing is made
 * (src/matching/matching.service.ts), so a reputation change moves no feed row either.
 *
 * Locks: the triggers lock pairings after the row that fired them, and only pairings whose
 * `feed_until` changes — never one of an expert who bid on the request. A profile save locks the
 * expert's profile, then their pairings, and waits on nothing else; the transactions that move a
 * request lock a profile after its pairings only for an expert who bid on it, whose pairing they
 * did not touch. So no two transactions can wait on each other through these rows.
 */

/**
 * `feed_until` of pairing `m` whose request row is `r` (both aliases given): the bidding close
 * while the feed may show it, else NULL. The triggers compute the same.
 */
export function feedUntil(m: string, r: string): string {
  return `CASE WHEN ${r}.status = 'open' AND NOT EXISTS (SELECT 1 FROM bids fb WHERE fb.request_id = ${m}.request_id AND fb.expert_id = ${m}.expert_id)
    THEN ${r}.bidding_closes_at END`;
}
