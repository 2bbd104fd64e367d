import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login protection (issue 9, S3/S7): failed-login counters per email and per (email, address),
 * kept for every email typed (known or not, keyed by digests), and the devices that logged in
 * (device tokens, stored hashed). Replaces the per-account lock: users' failed_login_count and
 * locked_until go, and with them the lock anyone could put on someone else's account. Going
 * down brings the columns back empty, so no account is left locked.
 */
export class LoginProtection1796027577922 implements MigrationInterface {
  name = 'LoginProtection1796027577922';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "login_devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_login_at" TIMESTAMP WITH TIME ZONE NOT NULL, "failures" integer NOT NULL DEFAULT '0', "last_attempt_at" TIMESTAMP WITH TIME ZONE, "refused_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bc16579b5e7e6cb70759302fbfc" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_login_devices_user_id" ON "login_devices"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_login_devices_token_hash" ON "login_devices"  ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "IDX_login_devices_expires_at" ON "login_devices"  ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "login_protection" ("key" text NOT NULL, "email_key" text NOT NULL, "scope" text NOT NULL, "failures" integer NOT NULL DEFAULT '0', "window_started_at" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "refused_until" TIMESTAMP WITH TIME ZONE, "forget_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "CHK_login_protection_failures" CHECK ("failures" >= 0), CONSTRAINT "CHK_login_protection_scope" CHECK ("scope" IN ('email', 'pair')), CONSTRAINT "PK_6f6f6f53542cf4cba925f3a728b" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_login_protection_email_key" ON "login_protection"  ("email_key") `);
    await queryRunner.query(`CREATE INDEX "IDX_login_protection_forget_at" ON "login_protection"  ("forget_at") `);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "failed_login_count"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "locked_until"`);
    await queryRunner.query(`ALTER TABLE "login_devices" ADD CONSTRAINT "FK_login_devices_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "login_devices" DROP CONSTRAINT "FK_login_devices_user_id"`);
    await queryRunner.query(`ALTER TABLE "users" ADD "locked_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ADD "failed_login_count" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`DROP INDEX "public"."IDX_login_protection_forget_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_login_protection_email_key"`);
    await queryRunner.query(`DROP TABLE "login_protection"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_login_devices_expires_at"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_login_devices_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_login_devices_user_id"`);
    await queryRunner.query(`DROP TABLE "login_devices"`);
  }
}
