import { MigrationInterface, QueryRunner } from 'typeorm';

export class MoneyAfterItMoved1796028256899 implements MigrationInterface {
  name = 'MoneyAfterItMoved1796028256899';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_disputes_request"`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD "disputed_from" text`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "released_amount" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "payout_available_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "stripe_dispute_id" text`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "chargeback_status" text`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "chargeback_amount" integer`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "chargeback_loss" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "chargeback_loss_held" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "transfer_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "partner_transfer_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD "unclaimed_amount" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD "kind" text NOT NULL DEFAULT 'customer'`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD "escrow_id" uuid`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD "reference" text`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" ADD "attempts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" ADD "failure_reason" text`);
    await queryRunner.query(`ALTER TABLE "reconciliation_runs" ADD "watermark" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "reconciliation_runs" ADD "stripe_objects" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "reconciliation_runs" ADD "sweep_cursor" uuid`);
    await queryRunner.query(`CREATE INDEX "IDX_ledger_transactions_created" ON "ledger_transactions"  ("created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_escrow_refunds_updated" ON "escrow_refunds"  ("updated_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_escrows_unfinished" ON "escrows"  ("id") WHERE "status" = 'requires_payment' OR "payout_status" IN ('transferring','reversed') OR "partner_payout_status" = 'transferring' OR "chargeback_status" = 'lost'`,
    );
    await queryRunner.query(`ALTER TABLE "stripe_events" ADD "status" text NOT NULL DEFAULT 'applied'`);
    await queryRunner.query(`ALTER TABLE "stripe_events" ADD "object" jsonb`);
    await queryRunner.query(`ALTER TABLE "stripe_events" ADD "link_id" text`);
    await queryRunner.query(`ALTER TABLE "stripe_events" ADD "applied_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_disputes_request" ON "disputes"  ("request_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_disputes_reference" ON "disputes"  ("kind", "reference") WHERE "reference" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_disputes_open_per_request" ON "disputes"  ("request_id") WHERE "status" = 'open' AND "kind" IN ('customer','chargeback','warranty')`);
    await queryRunner.query(`CREATE INDEX "IDX_stripe_events_pending" ON "stripe_events"  ("received_at") WHERE "status" <> 'applied'`);
    await queryRunner.query(`CREATE INDEX "IDX_stripe_events_waiting" ON "stripe_events"  ("link_id") WHERE "status" = 'waiting'`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_chargeback" CHECK ("chargeback_status" IS NULL OR ("chargeback_status" IN ('open','won','lost') AND "chargeback_amount" BETWEEN 1 AND "amount"))`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "CHK_escrows_held_parts" CHECK ("released_amount" >= 0 AND "chargeback_loss_held" >= 0 AND "unclaimed_amount" >= 0 AND "refunded_amount" + "released_amount" + "chargeback_loss_held" + "unclaimed_amount" <= "amount")`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD CONSTRAINT "CHK_disputes_kind" CHECK ("kind" IN ('customer','chargeback','warranty','post_payout_chargeback','refund_failed'))`);
    await queryRunner.query(`ALTER TABLE "stripe_events" ADD CONSTRAINT "CHK_stripe_events_status" CHECK ("status" IN ('received','waiting','applied'))`);
    await queryRunner.query(`ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_escrow" FOREIGN KEY ("escrow_id") REFERENCES "escrows"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Checks whose expressions changed (the generator only sees new names): drop and add again.
    const checks: Array<[string, string, string, string]> = [
      ['escrows', 'CHK_escrows_payout_status', `"payout_status" IN ('none','pending','paid')`, `"payout_status" IN ('none','pending','transferring','paid','reversed')`],
      ['escrows', 'CHK_escrows_partner_payout_status', `"partner_payout_status" IN ('none','pending','paid')`, `"partner_payout_status" IN ('none','pending','transferring','paid','reversed')`],
      ['disputes', 'CHK_disputes_outcome', `"outcome" IS NULL OR "outcome" IN ('release','refund','split')`, `"outcome" IS NULL OR "outcome" IN ('release','refund','split','recovered','write_off','retry_refund','chargeback_won','chargeback_lost')`],
      [
        'disputes',
        'CHK_disputes_refund_amount',
        `("outcome" IS NOT DISTINCT FROM 'split') = ("refund_amount" IS NOT NULL) AND ("refund_amount" IS NULL OR "refund_amount" > 0)`,
        `("outcome" IS NOT DISTINCT FROM 'split') <= ("refund_amount" IS NOT NULL) AND ("refund_amount" IS NULL OR "refund_amount" >= 0)`,
      ],
      [
        'ledger_entries',
        'CHK_ledger_entries_account',
        `"account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded')`,
        `"account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded','chargeback_loss','expert_receivable','partner_receivable','unclaimed_refunds')`,
      ],
      [
        'ledger_transactions',
        'CHK_ledger_transactions_kind',
        `"kind" IN ('funding','release','payout','partner_payout','refund')`,
        `"kind" IN ('funding','release','payout','partner_payout','refund','chargeback','reversal','refund_failed','write_off','recovery')`,
      ],
    ];
    for (const [table, name, , now] of checks) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${name}" CHECK (${now})`);
    }
    // What existing rows already mean in the new columns: a release took everything not refunded;
    // a frozen escrow has an open chargeback (of the whole charge: its amount was not kept);
    // chargeback disputes say so, and every dispute names its request's newest funded escrow.
    await queryRunner.query(`UPDATE "escrows" SET "released_amount" = "amount" - "refunded_amount" WHERE "status" IN ('released','partially_refunded')`);
    await queryRunner.query(`UPDATE "escrows" SET "chargeback_status" = 'open', "chargeback_amount" = "amount" WHERE "frozen"`);
    await queryRunner.query(`UPDATE "disputes" SET "kind" = 'chargeback' WHERE "opened_by" = 'chargeback'`);
    await queryRunner.query(
      `UPDATE "disputes" d SET "escrow_id" = (SELECT e."id" FROM "escrows" e WHERE e."request_id" = d."request_id" AND e."charge_id" IS NOT NULL ORDER BY e."created_at" DESC LIMIT 1)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Back to the v1.0 checks (rows using the new values must be gone first).
    const checks: Array<[string, string, string]> = [
      ['escrows', 'CHK_escrows_payout_status', `"payout_status" IN ('none','pending','paid')`],
      ['escrows', 'CHK_escrows_partner_payout_status', `"partner_payout_status" IN ('none','pending','paid')`],
      ['disputes', 'CHK_disputes_outcome', `"outcome" IS NULL OR "outcome" IN ('release','refund','split')`],
      ['disputes', 'CHK_disputes_refund_amount', `("outcome" IS NOT DISTINCT FROM 'split') = ("refund_amount" IS NOT NULL) AND ("refund_amount" IS NULL OR "refund_amount" > 0)`],
      ['ledger_entries', 'CHK_ledger_entries_account', `"account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded')`],
      ['ledger_transactions', 'CHK_ledger_transactions_kind', `"kind" IN ('funding','release','payout','partner_payout','refund')`],
    ];
    for (const [table, name, before] of checks) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${name}" CHECK (${before})`);
    }
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_escrow"`);
    await queryRunner.query(`ALTER TABLE "stripe_events" DROP CONSTRAINT "CHK_stripe_events_status"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "CHK_disputes_kind"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_held_parts"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "CHK_escrows_chargeback"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_stripe_events_waiting"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_stripe_events_pending"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_disputes_open_per_request"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_disputes_reference"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_request"`);
    await queryRunner.query(`ALTER TABLE "stripe_events" DROP COLUMN "applied_at"`);
    await queryRunner.query(`ALTER TABLE "stripe_events" DROP COLUMN "link_id"`);
    await queryRunner.query(`ALTER TABLE "stripe_events" DROP COLUMN "object"`);
    await queryRunner.query(`ALTER TABLE "stripe_events" DROP COLUMN "status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrows_unfinished"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrow_refunds_updated"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ledger_transactions_created"`);
    await queryRunner.query(`ALTER TABLE "reconciliation_runs" DROP COLUMN "sweep_cursor"`);
    await queryRunner.query(`ALTER TABLE "reconciliation_runs" DROP COLUMN "stripe_objects"`);
    await queryRunner.query(`ALTER TABLE "reconciliation_runs" DROP COLUMN "watermark"`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" DROP COLUMN "failure_reason"`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" DROP COLUMN "attempts"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP COLUMN "reference"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP COLUMN "escrow_id"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP COLUMN "kind"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "unclaimed_amount"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "partner_transfer_started_at"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "transfer_started_at"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "chargeback_loss_held"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "chargeback_loss"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "chargeback_amount"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "chargeback_status"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "stripe_dispute_id"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "payout_available_at"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP COLUMN "released_amount"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP COLUMN "disputed_from"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_disputes_request" ON "disputes" USING btree ("request_id") `);
  }
}
