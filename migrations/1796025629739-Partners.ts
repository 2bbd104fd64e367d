import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partners and their API keys (SHA-256 of the secret only), users owned by a partner (with the
 * partner's own external id, unique per partner), and the partner that acted on each event.
 */
export class Partners1796025629739 implements MigrationInterface {
  name = 'Partners1796025629739';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "partners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "revenue_share_bps" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_partners_revenue_share" CHECK ("revenue_share_bps" BETWEEN 0 AND 10000), CONSTRAINT "PK_998645b20820e4ab99aeae03b41" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "partner_api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "prefix" text NOT NULL, "secret_sha256" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_414d0b464f3d7e36ffb871030a0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_partner_api_keys_partner" ON "partner_api_keys"  ("partner_id", "created_at") `);
    await queryRunner.query(`ALTER TABLE "users" ADD "external_id" text`);
    await queryRunner.query(`ALTER TABLE "events" ADD "actor_partner_id" uuid`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_partner_external" ON "users"  ("partner_id", "external_id") WHERE "external_id" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "CHK_users_external_id" CHECK ("external_id" IS NULL OR "partner_id" IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_users_partner" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "partner_api_keys" ADD CONSTRAINT "FK_partner_api_keys_partner" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "partner_api_keys" DROP CONSTRAINT "FK_partner_api_keys_partner"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_users_partner"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_external_id"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_partner_external"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "actor_partner_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "external_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_partner_api_keys_partner"`);
    await queryRunner.query(`DROP TABLE "partner_api_keys"`);
    await queryRunner.query(`DROP TABLE "partners"`);
  }
}
