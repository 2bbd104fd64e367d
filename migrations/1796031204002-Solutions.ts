import { MigrationInterface, QueryRunner } from 'typeorm';

export class Solutions1796031204002 implements MigrationInterface {
  name = 'Solutions1796031204002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Hand-written: the search set-up of the knowledge base (src/solutions). Both extensions ship
    // with PostgreSQL's contrib (the embedded binaries and the official image) and are trusted:
    // a database owner may create them.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    // English stemming that also folds accents, so "café", "resume" and "résumé" meet.
    await queryRunner.query(`CREATE TEXT SEARCH CONFIGURATION fixbid_english (COPY = english)`);
    await queryRunner.query(`ALTER TEXT SEARCH CONFIGURATION fixbid_english ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem`);
    await queryRunner.query(`CREATE TABLE "solution_terms" ("term" text NOT NULL, CONSTRAINT "PK_solution_terms" PRIMARY KEY ("term"))`);
    await queryRunner.query(`CREATE TABLE "solution_votes" ("request_id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_solution_votes" PRIMARY KEY ("request_id", "user_id"))`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "solution_summary" text`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "published_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "unpublished_reason" text`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "solution_search" tsvector`);
    await queryRunner.query(`CREATE INDEX "IDX_help_requests_published" ON "help_requests"  ("closed_at", "id") WHERE "published_at" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD CONSTRAINT "CHK_help_requests_published_moderated" CHECK ("published_at" IS NULL OR "unpublished_reason" IS NULL)`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD CONSTRAINT "CHK_help_requests_published_summary" CHECK ("published_at" IS NULL OR "solution_summary" IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "solution_votes" ADD CONSTRAINT "FK_solution_votes_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "solution_votes" ADD CONSTRAINT "FK_solution_votes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    // Hand-written: the solution's document — title above the expert's public summary above the
    // category's words — never the private resolution note nor the customer's description.
    await queryRunner.query(`CREATE FUNCTION help_requests_solution_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.solution_search := CASE WHEN NEW.solution_summary IS NULL THEN NULL ELSE
             setweight(to_tsvector('fixbid_english', coalesce(NEW.title, '')), 'A')
          || setweight(to_tsvector('fixbid_english', NEW.solution_summary), 'B')
          || setweight(to_tsvector('fixbid_english', replace(NEW.category, '-', ' ')), 'C') END;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER help_requests_solution_search BEFORE INSERT OR UPDATE OF title, solution_summary, category ON "help_requests" FOR EACH ROW EXECUTE FUNCTION help_requests_solution_search_update()`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_help_requests_solution_search" ON "help_requests" USING GIN ("solution_search") WHERE "published_at" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_solution_terms_trigram" ON "solution_terms" USING GIN ("term" gin_trgm_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_solution_terms_trigram"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_help_requests_solution_search"`);
    await queryRunner.query(`DROP TRIGGER help_requests_solution_search ON "help_requests"`);
    await queryRunner.query(`DROP FUNCTION help_requests_solution_search_update()`);
    await queryRunner.query(`ALTER TABLE "solution_votes" DROP CONSTRAINT "FK_solution_votes_user"`);
    await queryRunner.query(`ALTER TABLE "solution_votes" DROP CONSTRAINT "FK_solution_votes_request"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP CONSTRAINT "CHK_help_requests_published_summary"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP CONSTRAINT "CHK_help_requests_published_moderated"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_help_requests_published"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "solution_search"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "unpublished_reason"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "published_at"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "solution_summary"`);
    await queryRunner.query(`DROP TABLE "solution_votes"`);
    await queryRunner.query(`DROP TABLE "solution_terms"`);
    await queryRunner.query(`DROP TEXT SEARCH CONFIGURATION fixbid_english`);
    await queryRunner.query(`DROP EXTENSION IF EXISTS unaccent`);
    await queryRunner.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}
