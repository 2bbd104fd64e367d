import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request search's second candidate source (src/requests/request-reads.sql.ts): for every open
 * request, the words it is strong in — in its title or said more than once — with the word's own
 * ts_rank in it, the strength. One index orders each word's requests strongest first, newest
 * among equals, so "the 100 requests this word is strongest in" is one short index range, however
 * many requests mention the word. Words said once in a description are left out: they all rank
 * the same (0.24), below every strong one, and the newest matches cover them.
 *
 * A trigger keeps the rows true: a request entering open (created, or reopened by a lapse) gets
 * them, leaving open drops them, an edit while open renews them. Only open requests are kept,
 * since only they are searched by many (experts); the rows of a finished request would only grow.
 */
export class RequestSearchTerms1796035000000 implements MigrationInterface {
  name = 'RequestSearchTerms1796035000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // ts_rank of the one-word query, the same function search ranks with, so a list's order is
    // the order that word alone would rank in. A lexeme is quoted for tsquery input ('' and \\).
    await queryRunner.query(`CREATE FUNCTION help_requests_strong_terms(v tsvector) RETURNS TABLE (lexeme text, strength real)
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT u.lexeme, ts_rank(v, ('''' || replace(replace(u.lexeme, '\\', '\\\\'), '''', '''''') || '''')::tsquery)
          FROM unnest(v) u
         WHERE 'A' = ANY (u.weights) OR cardinality(u.positions) > 1
      $$`);
    await queryRunner.query(`CREATE TABLE "request_search_terms" (
      "request_id" uuid NOT NULL, "lexeme" text NOT NULL, "strength" real NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "FK_request_search_terms_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE)`);
    await queryRunner.query(
      `INSERT INTO request_search_terms (request_id, lexeme, strength, created_at)
       SELECT r.id, t.lexeme, t.strength, r.created_at FROM help_requests r CROSS JOIN LATERAL help_requests_strong_terms(r.search) t
        WHERE r.status = 'open'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_request_search_terms_strongest" ON "request_search_terms" ("lexeme", "strength" DESC, "created_at" DESC, "request_id" DESC)`,
    );
    // Not unique: a request's few rows share one deduplicated entry, a third of a (request, lexeme) key's size.
    await queryRunner.query(`CREATE INDEX "IDX_request_search_terms_request" ON "request_search_terms" ("request_id")`);

    await queryRunner.query(`CREATE FUNCTION help_requests_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM request_search_terms WHERE request_id = OLD.id;
        END IF;
        IF NEW.status = 'open' THEN
          INSERT INTO request_search_terms (request_id, lexeme, strength, created_at)
          SELECT NEW.id, t.lexeme, t.strength, NEW.created_at FROM help_requests_strong_terms(NEW.search) t;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER help_requests_search_terms AFTER INSERT ON "help_requests"
      FOR EACH ROW WHEN (NEW.status = 'open') EXECUTE FUNCTION help_requests_search_terms()`);
    await queryRunner.query(`CREATE TRIGGER help_requests_search_terms_update AFTER UPDATE OF status, title, description ON "help_requests"
      FOR EACH ROW WHEN ((OLD.status = 'open') <> (NEW.status = 'open') OR (NEW.status = 'open' AND OLD.search IS DISTINCT FROM NEW.search))
      EXECUTE FUNCTION help_requests_search_terms()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER help_requests_search_terms_update ON "help_requests"`);
    await queryRunner.query(`DROP TRIGGER help_requests_search_terms ON "help_requests"`);
    await queryRunner.query(`DROP FUNCTION help_requests_search_terms()`);
    await queryRunner.query(`DROP TABLE "request_search_terms"`);
    await queryRunner.query(`DROP FUNCTION help_requests_strong_terms(tsvector)`);
  }
}
