import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes behind GET /v1/experts (sort=reputation|rating keyset pages) and behind matching's
 * "most reputable generalists first" candidate query. The rating index is an expression index
 * (the average of rating_sum / rating_count, 0 without ratings), so the entity marks it
 * synchronize: false and the list query must use the same expression (src/experts/experts.service.ts).
 */
export class ExpertListIndexes1795814586702 implements MigrationInterface {
  name = 'ExpertListIndexes1795814586702';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_expert_profiles_reputation" ON "expert_profiles" ("reputation_score", "user_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_expert_profiles_rating" ON "expert_profiles" ((COALESCE("rating_sum"::numeric / NULLIF("rating_count", 0), 0)), "user_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_expert_profiles_rating"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_expert_profiles_reputation"`);
  }
}
