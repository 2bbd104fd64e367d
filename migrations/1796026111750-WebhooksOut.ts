import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks out: partners' and admins' endpoints (sealed signing secrets, rotation, failing
 * since), the delivery queue (one row per event and endpoint, leased per attempt), and the
 * outbox's dispatch mark with its partial index (events not yet fanned out).
 */
export class WebhooksOut1796026111750 implements MigrationInterface {
  name = 'WebhooksOut1796026111750';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid, "admin_id" uuid, "url" text NOT NULL, "events" text array NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" text, "secret_sealed" text NOT NULL, "previous_secret_sealed" text, "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "failing_since" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_webhook_endpoints_previous" CHECK (("previous_secret_sealed" IS NULL) = ("previous_secret_expires_at" IS NULL)), CONSTRAINT "CHK_webhook_endpoints_owner" CHECK (("partner_id" IS NULL) <> ("admin_id" IS NULL)), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_endpoints_admin" ON "webhook_endpoints"  ("admin_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_endpoints_partner" ON "webhook_endpoints"  ("partner_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "endpoint_id" uuid NOT NULL, "event_id" uuid NOT NULL, "event_type" text NOT NULL, "audience" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "lease_until" TIMESTAMP WITH TIME ZONE, "first_attempt_at" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" text, "last_duration_ms" integer, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_webhook_deliveries_audience" CHECK ("audience" IN ('customer','expert','admin')), CONSTRAINT "CHK_webhook_deliveries_status" CHECK ("status" IN ('pending','delivered','failed')), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_endpoint_created" ON "webhook_deliveries"  ("endpoint_id", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries"  ("next_attempt_at") WHERE "status" = 'pending'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_webhook_deliveries_endpoint_event" ON "webhook_deliveries"  ("endpoint_id", "event_id") `);
    await queryRunner.query(`ALTER TABLE "events" ADD "dispatched_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_events_created" ON "events"  ("created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_events_undispatched" ON "events"  ("position") WHERE "dispatched_at" IS NULL`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_webhook_endpoints_partner" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_webhook_endpoints_admin" FOREIGN KEY ("admin_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_webhook_deliveries_endpoint" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_webhook_deliveries_endpoint"`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_webhook_endpoints_admin"`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_webhook_endpoints_partner"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_events_undispatched"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_events_created"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "dispatched_at"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_webhook_deliveries_endpoint_event"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_deliveries_endpoint_created"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_endpoints_partner"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_endpoints_admin"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
