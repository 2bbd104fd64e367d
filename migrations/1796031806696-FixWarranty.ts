import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fix warranty (issue 10): a bid's warrantyDays, the request's round and reopen, the escrow's
 * holdback (warranty_held) and its own Transfer (holdback_payout), reviews one per round.
 */
export class FixWarranty1796031806696 implements MigrationInterface {
  name = 'FixWarranty1796031806696';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_reviews_request"`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "warranty_days" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "warranty_ends_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "round" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "reopened_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "reopen_reason" text`);
    await queryRunner.query(`ALTER TABLE "bids" ADD "warranty_days" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "warranty_days" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "warranty_holdback" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "warranty_refunded" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "warranty_lost" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "warranty_status" text`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "warranty_ends_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "holdback_payout_status" text NOT NULL DEFAULT 'none'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "holdback_transfer_id" text`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "holdback_transfer_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" ADD "from_holdback" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD "round" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_reviews_request_round" ON "reviews"  ("request_id", "round") `);
    await queryRunner.query(`ALTER TABLE "bids" ADD CONSTRAINT "CHK_bids_warranty" CHECK ("warranty_days" BETWEEN 0 AND 30)`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_holdback_paid" CHECK ("holdback_payout_status" <> 'paid' OR "holdback_transfer_id" IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_holdback_payout_status" CHECK ("holdback_payout_status" IN ('none','pending','transferring','paid','reversed'))`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_warranty_status" CHECK ("warranty_status" IS NULL OR "warranty_status" IN ('held','released','disputed','refunded'))`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_warranty" CHECK ("warranty_days" BETWEEN 0 AND 30 AND "warranty_holdback" >= 0 AND "warranty_refunded" >= 0 AND "warranty_lost" >= 0 AND "warranty_refunded" + "warranty_lost" <= "warranty_holdback")`);

    // Checks whose expressions changed (the generator only sees new names).
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "CHK_ledger_entries_account"`);
    await queryRunner.query(
      `ALTER TABLE "ledger_entries" ADD CONSTRAINT "CHK_ledger_entries_account" CHECK ("account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded','chargeback_loss','expert_receivable','partner_receivable','unclaimed_refunds','warranty_held'))`,
    );
    await queryRunner.query(`ALTER TABLE "ledger_transactions" DROP CONSTRAINT "CHK_ledger_transactions_kind"`);
    await queryRunner.query(
      `ALTER TABLE "ledger_transactions" ADD CONSTRAINT "CHK_ledger_transactions_kind" CHECK ("kind" IN ('funding','release','payout','partner_payout','refund','chargeback','reversal','refund_failed','write_off','recovery','holdback_payout'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "CHK_ledger_entries_account"`);
    await queryRunner.query(
      `ALTER TABLE "ledger_entries" ADD CONSTRAINT "CHK_ledger_entries_account" CHECK ("account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded','chargeback_loss','expert_receivable','partner_receivable','unclaimed_refunds'))`,
    );
    await queryRunner.query(`ALTER TABLE "ledger_transactions" DROP CONSTRAINT "CHK_ledger_transactions_kind"`);
    await queryRunner.query(
      `ALTER TABLE "ledger_transactions" ADD CONSTRAINT "CHK_ledger_transactions_kind" CHECK ("kind" IN ('funding','release','payout','partner_payout','refund','chargeback','reversal','refund_failed','write_off','recovery'))`,
    );
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_warranty"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_warranty_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_holdback_payout_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_holdback_paid"`);
    await queryRunner.query(`ALTER TABLE "bids" DROP CONSTRAINT "CHK_bids_warranty"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_reviews_request_round"`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP COLUMN "round"`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" DROP COLUMN "from_holdback"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "holdback_transfer_started_at"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "holdback_transfer_id"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "holdback_payout_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "warranty_ends_at"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "warranty_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "warranty_lost"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "warranty_refunded"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "warranty_holdback"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "warranty_days"`);
    await queryRunner.query(`ALTER TABLE "bids" DROP COLUMN "warranty_days"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "reopen_reason"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "reopened_at"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "round"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "warranty_ends_at"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "warranty_days"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_reviews_request" ON "reviews" USING btree ("request_id") `);
  }
}
