import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escrow payments: escrows, the double-entry ledger (transactions and their entries), refunds,
 * applied Stripe events and reconciliation runs. Hand-written below the generated part: the
 * ledger is append-only (M1) and every ledger transaction must sum to zero per currency when
 * its database transaction commits (a deferred constraint trigger).
 */
export class Payments1795816737462 implements MigrationInterface {
  name = 'Payments1795816737462';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "escrows" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "bid_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "fee_bps" integer NOT NULL, "platform_fee" integer NOT NULL, "expert_payout" integer NOT NULL, "refunded_amount" integer NOT NULL DEFAULT '0', "status" text NOT NULL DEFAULT 'requires_payment', "payout_status" text NOT NULL DEFAULT 'none', "payment_intent_id" text, "client_secret" text, "payment_intent_failed_at" TIMESTAMP WITH TIME ZONE, "charge_id" text, "transfer_id" text, "frozen" boolean NOT NULL DEFAULT false, "release_reason" text, "funded_at" TIMESTAMP WITH TIME ZONE, "released_at" TIMESTAMP WITH TIME ZONE, "refunded_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_escrows_paid" CHECK ("payout_status" <> 'paid' OR "transfer_id" IS NOT NULL), CONSTRAINT "CHK_escrows_charge" CHECK (("status" IN ('requires_payment','cancelled')) = ("charge_id" IS NULL AND "funded_at" IS NULL)), CONSTRAINT "CHK_escrows_refunded" CHECK ("refunded_amount" >= 0 AND "refunded_amount" <= "amount"), CONSTRAINT "CHK_escrows_fee_bps" CHECK ("fee_bps" BETWEEN 0 AND 10000), CONSTRAINT "CHK_escrows_fee_split" CHECK ("platform_fee" >= 0 AND "expert_payout" >= 0 AND "platform_fee" + "expert_payout" = "amount"), CONSTRAINT "CHK_escrows_amount" CHECK ("amount" BETWEEN 500 AND 1000000 AND "currency" IN ('usd','eur','gbp')), CONSTRAINT "CHK_escrows_payout_status" CHECK ("payout_status" IN ('none','pending','paid')), CONSTRAINT "CHK_escrows_status" CHECK ("status" IN ('requires_payment','held','released','refunded','partially_refunded','cancelled')), CONSTRAINT "PK_9cd10ae5b52350c3a20d124f5d3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_escrows_status" ON "escrows"  ("status", "payout_status") `);
    await queryRunner.query(`CREATE INDEX "IDX_escrows_expert_payout" ON "escrows"  ("expert_id", "payout_status") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_escrows_charge" ON "escrows"  ("charge_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_escrows_payment_intent" ON "escrows"  ("payment_intent_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_escrows_request_created" ON "escrows"  ("request_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_escrows_live_per_request" ON "escrows"  ("request_id") WHERE "status" IN ('requires_payment','held')`);
    await queryRunner.query(`CREATE TABLE "escrow_refunds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "escrow_id" uuid NOT NULL, "request_id" uuid NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "idempotency_key" text NOT NULL, "stripe_refund_id" text, "status" text NOT NULL DEFAULT 'pending', "reason" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_escrow_refunds_amount" CHECK ("amount" > 0), CONSTRAINT "CHK_escrow_refunds_status" CHECK ("status" IN ('pending','succeeded','failed','chargeback')), CONSTRAINT "PK_465b3d25fe8a34f484210756a18" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_escrow_refunds_status" ON "escrow_refunds"  ("status", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_escrow_refunds_escrow" ON "escrow_refunds"  ("escrow_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_escrow_refunds_stripe_refund" ON "escrow_refunds"  ("stripe_refund_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_escrow_refunds_key" ON "escrow_refunds"  ("idempotency_key") `);
    await queryRunner.query(`CREATE TABLE "ledger_transactions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "reference" text NOT NULL, "escrow_id" uuid NOT NULL, "request_id" uuid NOT NULL, "stripe_object_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_ledger_transactions_kind" CHECK ("kind" IN ('funding','release','payout','refund')), CONSTRAINT "PK_633d103c9e415d615aacf9b1929" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_ledger_transactions_escrow" ON "ledger_transactions"  ("escrow_id", "kind") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_ledger_transactions_stripe_object" ON "ledger_transactions"  ("stripe_object_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_ledger_transactions_reference" ON "ledger_transactions"  ("reference") `);
    await queryRunner.query(`CREATE TABLE "ledger_entries" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "txn_id" uuid NOT NULL, "account" text NOT NULL, "amount" bigint NOT NULL, "currency" text NOT NULL, "escrow_id" uuid NOT NULL, "request_id" uuid NOT NULL, "kind" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_ledger_entries_currency" CHECK ("currency" IN ('usd','eur','gbp')), CONSTRAINT "CHK_ledger_entries_amount" CHECK ("amount" <> 0), CONSTRAINT "CHK_ledger_entries_account" CHECK ("account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','paid_out','refunded')), CONSTRAINT "PK_6efcb84411d3f08b08450ae75d5" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_ledger_entries_account_currency" ON "ledger_entries"  ("account", "currency") `);
    await queryRunner.query(`CREATE INDEX "IDX_ledger_entries_escrow_account" ON "ledger_entries"  ("escrow_id", "account") `);
    await queryRunner.query(`CREATE INDEX "IDX_ledger_entries_txn" ON "ledger_entries"  ("txn_id") `);
    await queryRunner.query(`CREATE TABLE "reconciliation_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL, "repaired" jsonb NOT NULL, "violations" jsonb NOT NULL, CONSTRAINT "PK_4edbdb165c9e754997036a4176a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_reconciliation_runs_finished" ON "reconciliation_runs"  ("finished_at") `);
    await queryRunner.query(`CREATE TABLE "stripe_events" ("id" text NOT NULL, "type" text NOT NULL, "created" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d3247bd5fc3f66b6982bbcdd897" PRIMARY KEY ("id"))`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "FK_escrows_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "FK_escrows_bid" FOREIGN KEY ("bid_id") REFERENCES "bids"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "FK_escrows_customer" FOREIGN KEY ("customer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "escrows" ADD CONSTRAINT "FK_escrows_expert" FOREIGN KEY ("expert_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" ADD CONSTRAINT "FK_escrow_refunds_escrow" FOREIGN KEY ("escrow_id") REFERENCES "escrows"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "ledger_transactions" ADD CONSTRAINT "FK_ledger_transactions_escrow" FOREIGN KEY ("escrow_id") REFERENCES "escrows"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "FK_ledger_entries_txn" FOREIGN KEY ("txn_id") REFERENCES "ledger_transactions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Hand-written: M1 — ledger rows are never updated, deleted or truncated.
    await queryRunner.query(`CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['ledger_entries', 'ledger_transactions']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);
    }
    // Hand-written: M1 — checked at commit (after every line is in), each ledger transaction sums to zero per currency and has lines.
    await queryRunner.query(`CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        unbalanced record;
      BEGIN
        SELECT currency, sum(amount) AS total INTO unbalanced
          FROM ledger_entries WHERE txn_id = NEW.txn_id GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger transaction % does not balance: % %', NEW.txn_id, unbalanced.total, unbalanced.currency USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON "ledger_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()`);
    await queryRunner.query(`CREATE FUNCTION ledger_check_has_entries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM ledger_entries WHERE txn_id = NEW.id) < 2 THEN
          RAISE EXCEPTION 'ledger transaction % has fewer than two lines', NEW.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER ledger_transactions_have_entries AFTER INSERT ON "ledger_transactions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_has_entries()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER ledger_transactions_have_entries ON "ledger_transactions"`);
    await queryRunner.query(`DROP FUNCTION ledger_check_has_entries()`);
    await queryRunner.query(`DROP TRIGGER ledger_entries_balanced ON "ledger_entries"`);
    await queryRunner.query(`DROP FUNCTION ledger_check_balanced()`);
    for (const table of ['ledger_entries', 'ledger_transactions']) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION ledger_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "FK_ledger_entries_txn"`);
    await queryRunner.query(`ALTER TABLE "ledger_transactions" DROP CONSTRAINT "FK_ledger_transactions_escrow"`);
    await queryRunner.query(`ALTER TABLE "escrow_refunds" DROP CONSTRAINT "FK_escrow_refunds_escrow"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "FK_escrows_expert"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "FK_escrows_customer"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "FK_escrows_bid"`);
    await queryRunner.query(`ALTER TABLE "escrows" DROP CONSTRAINT "FK_escrows_request"`);
    await queryRunner.query(`DROP TABLE "stripe_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_reconciliation_runs_finished"`);
    await queryRunner.query(`DROP TABLE "reconciliation_runs"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ledger_entries_txn"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ledger_entries_escrow_account"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ledger_entries_account_currency"`);
    await queryRunner.query(`DROP TABLE "ledger_entries"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_ledger_transactions_reference"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_ledger_transactions_stripe_object"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ledger_transactions_escrow"`);
    await queryRunner.query(`DROP TABLE "ledger_transactions"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_escrow_refunds_key"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_escrow_refunds_stripe_refund"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrow_refunds_escrow"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrow_refunds_status"`);
    await queryRunner.query(`DROP TABLE "escrow_refunds"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_escrows_live_per_request"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrows_request_created"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_escrows_payment_intent"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_escrows_charge"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrows_expert_payout"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_escrows_status"`);
    await queryRunner.query(`DROP TABLE "escrows"`);
  }
}
