import { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency-Key records (I1-I5) and the rate-limit counters shared by all processes (L1). */
export class IdempotencyAndRateLimits1795814368409 implements MigrationInterface {
  name = 'IdempotencyAndRateLimits1795814368409';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "idempotency_keys" ("principal" text NOT NULL, "key" text NOT NULL, "request_hash" text NOT NULL, "response_status" integer, "response_body" text, "lock_token" uuid, "locked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_574edfb9ce98100b66a0a2e0f34" PRIMARY KEY ("principal", "key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_keys_created_at" ON "idempotency_keys"  ("created_at") `);
    // Unlogged: a counter is written on every request and losing the counts in a crash is harmless.
    await queryRunner.query(`CREATE UNLOGGED TABLE "rate_limit_hits" ("key" text NOT NULL, "hits" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "blocked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d392e81d922afbaed7efb3f1184" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_rate_limit_hits_expires_at" ON "rate_limit_hits"  ("expires_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_rate_limit_hits_expires_at"`);
    await queryRunner.query(`DROP TABLE "rate_limit_hits"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_idempotency_keys_created_at"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
