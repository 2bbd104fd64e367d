import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partners' revenue share (M9): each escrow records its customer's partner and share when funded,
 * and the partner's payout (status and Transfer) beside the expert's; partners' Connect accounts
 * get their own table. Hand-written at the end: the ledger accepts the account partner_payable
 * and the kind partner_payout (TypeORM does not see a changed CHECK expression under the same name).
 */
export class PartnerRevenueShare1796026542572 implements MigrationInterface {
  name = 'PartnerRevenueShare1796026542572';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "partner_payout_accounts" ("partner_id" uuid NOT NULL, "stripe_account_id" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "payouts_enabled" boolean NOT NULL DEFAULT false, "stripe_updated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_partner_payout_accounts_status" CHECK ("status" IN ('pending','enabled','restricted')), CONSTRAINT "PK_a0a86c0bd43debf403cdbb26837" PRIMARY KEY ("partner_id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_partner_payout_accounts_stripe_account" ON "partner_payout_accounts"  ("stripe_account_id") `);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "partner_id" uuid`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "partner_share_bps" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "partner_payout_status" text NOT NULL DEFAULT 'none'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "partner_transfer_id" text`);
    await queryRunner.query(`CREATE INDEX "IDX_escrows_partner_payout" ON "escrows"  ("partner_id", "partner_payout_status") WHERE "partner_id" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_partner_paid" CHECK ("partner_payout_status" <> 'paid' OR "partner_transfer_id" IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_partner_share" CHECK ("partner_share_bps" BETWEEN 0 AND 10000 AND ("partner_share_bps" = 0 OR "partner_id" IS NOT NULL))`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_partner_payout_status" CHECK ("partner_payout_status" IN ('none','pending','paid'))`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "FK_escrows_partner" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "partner_payout_accounts" ADD CONSTRAINT "FK_partner_payout_accounts_partner" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "CHK_ledger_entries_account"`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "CHK_ledger_entries_account" CHECK ("account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded'))`);
    await queryRunner.query(`ALTER TABLE "ledger_transactions" DROP CONSTRAINT "CHK_ledger_transactions_kind"`);
    await queryRunner.query(`ALTER TABLE "ledger_transactions" ADD CONSTRAINT "CHK_ledger_transactions_kind" CHECK ("kind" IN ('funding','release','payout','partner_payout','refund'))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Fails once partner shares were booked: the ledger is append-only, so they cannot be taken back.
    await queryRunner.query(`ALTER TABLE "ledger_transactions" DROP CONSTRAINT "CHK_ledger_transactions_kind"`);
    await queryRunner.query(`ALTER TABLE "ledger_transactions" ADD CONSTRAINT "CHK_ledger_transactions_kind" CHECK ("kind" IN ('funding','release','payout','refund'))`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "CHK_ledger_entries_account"`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "CHK_ledger_entries_account" CHECK ("account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','paid_out','refunded'))`);
    await queryRunner.query(`ALTER TABLE "partner_payout_accounts" DROP CONSTRAINT "FK_partner_payout_accounts_partner"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "FK_escrows_partner"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_partner_payout_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_partner_share"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_partner_paid"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrows_partner_payout"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "partner_transfer_id"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "partner_payout_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "partner_share_bps"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "partner_id"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_partner_payout_accounts_stripe_account"`);
    await queryRunner.query(`DROP TABLE "partner_payout_accounts"`);
  }
}
