import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The expert feed reads request_matches by (expert, score) and skips pairings whose request is
 * no longer open; left alone those rows pile up and every feed page reads past them. Once a
 * request is funded or final it never takes bids again, so its pairings go with that change.
 * (awaiting_payment keeps them: the payment window may lapse and reopen the request.)
 */
export class PruneMatchesOfClosedRequests1795817000000 implements MigrationInterface {
  name = 'PruneMatchesOfClosedRequests1795817000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION help_requests_prune_matches() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM request_matches WHERE request_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER help_requests_prune_matches AFTER UPDATE OF status ON "help_requests"
      FOR EACH ROW WHEN (NEW.status NOT IN ('open', 'awaiting_payment') AND OLD.status IN ('open', 'awaiting_payment'))
      EXECUTE FUNCTION help_requests_prune_matches()`);
    await queryRunner.query(`DELETE FROM request_matches m USING help_requests r
      WHERE r.id = m.request_id AND r.status NOT IN ('open', 'awaiting_payment')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER help_requests_prune_matches ON "help_requests"`);
    await queryRunner.query(`DROP FUNCTION help_requests_prune_matches()`);
  }
}
