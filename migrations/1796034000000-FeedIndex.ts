import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The expert feed's index holds only what the feed can still show (issue 11 §3): each pairing
 * carries `feed_until` (its request's bidding close while the request is open and the expert has
 * not bid on it, else NULL; src/requests/feed-index.ts), and a partial index covers only the rows
 * that have it. Two triggers keep it true whatever writes the request or the bid; existing
 * pairings are filled once here.
 */
export class FeedIndex1796034000000 implements MigrationInterface {
  name = 'FeedIndex1796034000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_matches" ADD "feed_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      UPDATE request_matches m SET feed_until = r.bidding_closes_at
        FROM help_requests r
       WHERE r.id = m.request_id AND r.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = m.request_id AND b.expert_id = m.expert_id)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_request_matches_feed" ON "request_matches" ("expert_id", "score", "request_id") WHERE "feed_until" IS NOT NULL`,
    );

    // A request entering open, leaving it for awaiting_payment, or moving its bidding close while
    // open. (Leaving for a final state deletes the pairings: help_requests_prune_matches.)
    await queryRunner.query(`CREATE FUNCTION help_requests_feed_index() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE request_matches m
           SET feed_until = s.feed_until
          FROM (SELECT x.request_id, x.expert_id,
                       CASE WHEN NEW.status = 'open'
                             AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = x.request_id AND b.expert_id = x.expert_id)
                            THEN NEW.bidding_closes_at END AS feed_until
                  FROM request_matches x WHERE x.request_id = NEW.id) s
         WHERE m.request_id = s.request_id AND m.expert_id = s.expert_id AND m.feed_until IS DISTINCT FROM s.feed_until;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER help_requests_feed_index AFTER UPDATE OF status, bidding_closes_at ON "help_requests"
      FOR EACH ROW WHEN (
        (NEW.status = 'open' AND (OLD.status <> 'open' OR OLD.bidding_closes_at IS DISTINCT FROM NEW.bidding_closes_at))
        OR (OLD.status = 'open' AND NEW.status = 'awaiting_payment'))
      EXECUTE FUNCTION help_requests_feed_index()`);

    // A new bid takes its request out of its expert's feed.
    await queryRunner.query(`CREATE FUNCTION bids_feed_index() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE request_matches SET feed_until = NULL
         WHERE request_id = NEW.request_id AND expert_id = NEW.expert_id AND feed_until IS NOT NULL;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER bids_feed_index AFTER INSERT ON "bids" FOR EACH ROW EXECUTE FUNCTION bids_feed_index()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER bids_feed_index ON "bids"`);
    await queryRunner.query(`DROP FUNCTION bids_feed_index()`);
    await queryRunner.query(`DROP TRIGGER help_requests_feed_index ON "help_requests"`);
    await queryRunner.query(`DROP FUNCTION help_requests_feed_index()`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_matches_feed"`);
    await queryRunner.query(`ALTER TABLE "request_matches" DROP COLUMN "feed_until"`);
  }
}
