import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviews (one per request), disputes (one per request; the admin queue), experts' Stripe Connect
 * payout accounts, and help_requests.auto_released (a request completed by the review timer).
 */
export class ReviewsDisputesPayouts1795815932639 implements MigrationInterface {
  name = 'ReviewsDisputesPayouts1795815932639';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "disputes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'open', "opened_by" text NOT NULL, "opened_by_user_id" uuid, "reason" text NOT NULL, "outcome" text, "refund_amount" integer, "resolved_by" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_disputes_refund_amount" CHECK (("outcome" IS NOT DISTINCT FROM 'split') = ("refund_amount" IS NOT NULL) AND ("refund_amount" IS NULL OR "refund_amount" > 0)), CONSTRAINT "CHK_disputes_resolution" CHECK (("status" = 'open') = ("outcome" IS NULL AND "resolved_at" IS NULL)), CONSTRAINT "CHK_disputes_outcome" CHECK ("outcome" IS NULL OR "outcome" IN ('release','refund','split')), CONSTRAINT "CHK_disputes_opened_by" CHECK ("opened_by" IN ('customer','system','chargeback')), CONSTRAINT "CHK_disputes_status" CHECK ("status" IN ('open','resolved')), CONSTRAINT "PK_3c97580d01c1a4b0b345c42a107" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_disputes_opener_created" ON "disputes"  ("opened_by_user_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_disputes_created" ON "disputes"  ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_disputes_status_created" ON "disputes"  ("status", "created_at", "id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_disputes_request" ON "disputes"  ("request_id") `);
    await queryRunner.query(`CREATE TABLE "payout_accounts" ("user_id" uuid NOT NULL, "stripe_account_id" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "payouts_enabled" boolean NOT NULL DEFAULT false, "stripe_updated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_payout_accounts_status" CHECK ("status" IN ('pending','enabled','restricted')), CONSTRAINT "PK_ecdfbea1a85f334f9fd8c3a5af1" PRIMARY KEY ("user_id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_payout_accounts_stripe_account" ON "payout_accounts"  ("stripe_account_id") `);
    await queryRunner.query(`CREATE TABLE "reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "rating" smallint NOT NULL, "resolved" boolean NOT NULL, "comment" text, "publish_solution" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_reviews_comment_when_unresolved" CHECK ("resolved" OR "comment" IS NOT NULL), CONSTRAINT "CHK_reviews_rating" CHECK ("rating" BETWEEN 1 AND 5), CONSTRAINT "PK_231ae565c273ee700b283f15c1d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_reviews_expert_created" ON "reviews"  ("expert_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_reviews_request" ON "reviews"  ("request_id") `);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "auto_released" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_opened_by_user" FOREIGN KEY ("opened_by_user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_resolved_by" FOREIGN KEY ("resolved_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "payout_accounts" ADD CONSTRAINT "FK_payout_accounts_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "FK_reviews_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "FK_reviews_customer" FOREIGN KEY ("customer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "FK_reviews_expert" FOREIGN KEY ("expert_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "FK_reviews_expert"`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "FK_reviews_customer"`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "FK_reviews_request"`);
    await queryRunner.query(`ALTER TABLE "payout_accounts" DROP CONSTRAINT "FK_payout_accounts_user"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_resolved_by"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_opened_by_user"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_request"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "auto_released"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_reviews_request"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_reviews_expert_created"`);
    await queryRunner.query(`DROP TABLE "reviews"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_payout_accounts_stripe_account"`);
    await queryRunner.query(`DROP TABLE "payout_accounts"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_disputes_request"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_status_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_opener_created"`);
    await queryRunner.query(`DROP TABLE "disputes"`);
  }
}
