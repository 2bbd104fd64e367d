import { MigrationInterface, QueryRunner } from 'typeorm';

export class Marketplace1795814241393 implements MigrationInterface {
  name = 'Marketplace1795814241393';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "help_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "title" text NOT NULL, "description" text NOT NULL, "category" text NOT NULL, "max_budget_amount" integer, "max_budget_currency" text, "urgency" text NOT NULL DEFAULT 'normal', "language" text NOT NULL DEFAULT 'en', "status" text NOT NULL DEFAULT 'open', "bid_count" integer NOT NULL DEFAULT '0', "accepted_bid_id" uuid, "bidding_closes_at" TIMESTAMP WITH TIME ZONE NOT NULL, "accepted_at" TIMESTAMP WITH TIME ZONE, "funded_at" TIMESTAMP WITH TIME ZONE, "resolved_at" TIMESTAMP WITH TIME ZONE, "review_due_at" TIMESTAMP WITH TIME ZONE, "resolution_note" text, "closed_at" TIMESTAMP WITH TIME ZONE, "event_sequence" integer NOT NULL DEFAULT '0', "search" tsvector, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_help_requests_budget" CHECK (("max_budget_amount" IS NULL AND "max_budget_currency" IS NULL) OR ("max_budget_amount" BETWEEN 500 AND 1000000 AND "max_budget_currency" IN ('usd','eur','gbp'))), CONSTRAINT "CHK_help_requests_urgency" CHECK ("urgency" IN ('low','normal','urgent')), CONSTRAINT "CHK_help_requests_status" CHECK ("status" IN ('open','awaiting_payment','in_progress','resolved','completed','disputed','refunded','cancelled','expired')), CONSTRAINT "PK_2990700cfcb0ce6fbdd7b3d532f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_help_requests_status_category_created" ON "help_requests"  ("status", "category", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_help_requests_status_created" ON "help_requests"  ("status", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_help_requests_customer" ON "help_requests"  ("customer_id", "created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "bids" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "eta_minutes" integer NOT NULL, "message" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_bids_eta" CHECK ("eta_minutes" BETWEEN 15 AND 43200), CONSTRAINT "CHK_bids_amount" CHECK ("amount" BETWEEN 500 AND 1000000 AND "currency" IN ('usd','eur','gbp')), CONSTRAINT "CHK_bids_status" CHECK ("status" IN ('active','accepted','withdrawn','rejected')), CONSTRAINT "PK_7950d066d322aab3a488ac39fe5" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_bids_expert_created" ON "bids"  ("expert_id", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_bids_request_created" ON "bids"  ("request_id", "created_at", "id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_bids_accepted_per_request" ON "bids"  ("request_id") WHERE "status" = 'accepted'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_bids_live_per_expert" ON "bids"  ("request_id", "expert_id") WHERE "status" IN ('active','accepted')`);
    await queryRunner.query(`CREATE TABLE "events" ("position" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" text NOT NULL, "request_id" uuid NOT NULL, "sequence" integer NOT NULL, "customer_id" uuid NOT NULL, "expert_id" uuid, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bf9333ddb0c34f1533239fc9cb0" UNIQUE ("id"), CONSTRAINT "PK_7d00c0108053af68b8994387e12" PRIMARY KEY ("position"))`);
    await queryRunner.query(`CREATE INDEX "IDX_events_expert" ON "events"  ("expert_id", "position") `);
    await queryRunner.query(`CREATE INDEX "IDX_events_customer" ON "events"  ("customer_id", "position") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_events_sequence" ON "events"  ("request_id", "sequence") `);
    await queryRunner.query(`CREATE TABLE "expert_profiles" ("user_id" uuid NOT NULL, "headline" text NOT NULL, "bio" text NOT NULL DEFAULT '', "skills" text array NOT NULL, "languages" text array NOT NULL, "available" boolean NOT NULL DEFAULT true, "rating_count" integer NOT NULL DEFAULT '0', "rating_sum" integer NOT NULL DEFAULT '0', "reputation_score" smallint NOT NULL DEFAULT '0', "completed_jobs" integer NOT NULL DEFAULT '0', "active_jobs" integer NOT NULL DEFAULT '0', "last_active_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e437981050141c92a9bd753a0d3" PRIMARY KEY ("user_id"))`);
    await queryRunner.query(`CREATE TABLE "request_matches" ("request_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "score" real NOT NULL, "reasons" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d1c3a24c74ec8606f817231b346" PRIMARY KEY ("request_id", "expert_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_request_matches_request_score" ON "request_matches"  ("request_id", "score") `);
    await queryRunner.query(`CREATE INDEX "IDX_request_matches_expert_score" ON "request_matches"  ("expert_id", "score", "request_id") `);
    await queryRunner.query(`CREATE TABLE "messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "sender_id" uuid NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_messages_request_created" ON "messages"  ("request_id", "created_at", "id") `);
    // Hand-written: full-text search and array indexes TypeORM does not model (entities mark them synchronize: false).
    await queryRunner.query(`CREATE FUNCTION help_requests_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
                   || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B');
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER help_requests_search BEFORE INSERT OR UPDATE OF title, description ON "help_requests" FOR EACH ROW EXECUTE FUNCTION help_requests_search_update()`);
    await queryRunner.query(`CREATE INDEX "IDX_help_requests_search" ON "help_requests" USING GIN ("search")`);
    await queryRunner.query(`CREATE INDEX "IDX_expert_profiles_skills" ON "expert_profiles" USING GIN ("skills")`);
    await queryRunner.query(`CREATE INDEX "IDX_expert_profiles_search" ON "expert_profiles" USING GIN (to_tsvector('english', "headline" || ' ' || "bio"))`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD CONSTRAINT "FK_help_requests_customer" FOREIGN KEY ("customer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "help_requests" ADD CONSTRAINT "FK_help_requests_category" FOREIGN KEY ("category") REFERENCES "categories"("slug") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "bids" ADD CONSTRAINT "FK_bids_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "bids" ADD CONSTRAINT "FK_bids_expert" FOREIGN KEY ("expert_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD CONSTRAINT "FK_expert_profiles_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "request_matches" ADD CONSTRAINT "FK_request_matches_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "request_matches" ADD CONSTRAINT "FK_request_matches_expert" FOREIGN KEY ("expert_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_messages_request" FOREIGN KEY ("request_id") REFERENCES "help_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_messages_sender" FOREIGN KEY ("sender_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_messages_sender"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_expert_profiles_search"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_expert_profiles_skills"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_help_requests_search"`);
    await queryRunner.query(`DROP TRIGGER help_requests_search ON "help_requests"`);
    await queryRunner.query(`DROP FUNCTION help_requests_search_update()`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_messages_request"`);
    await queryRunner.query(`ALTER TABLE "request_matches" DROP CONSTRAINT "FK_request_matches_expert"`);
    await queryRunner.query(`ALTER TABLE "request_matches" DROP CONSTRAINT "FK_request_matches_request"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP CONSTRAINT "FK_expert_profiles_user"`);
    await queryRunner.query(`ALTER TABLE "bids" DROP CONSTRAINT "FK_bids_expert"`);
    await queryRunner.query(`ALTER TABLE "bids" DROP CONSTRAINT "FK_bids_request"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP CONSTRAINT "FK_help_requests_category"`);
    await queryRunner.query(`ALTER TABLE "help_requests" DROP CONSTRAINT "FK_help_requests_customer"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_messages_request_created"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_matches_expert_score"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_request_matches_request_score"`);
    await queryRunner.query(`DROP TABLE "request_matches"`);
    await queryRunner.query(`DROP TABLE "expert_profiles"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_events_sequence"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_events_customer"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_events_expert"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_bids_live_per_expert"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_bids_accepted_per_request"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bids_request_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bids_expert_created"`);
    await queryRunner.query(`DROP TABLE "bids"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_help_requests_customer"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_help_requests_status_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_help_requests_status_category_created"`);
    await queryRunner.query(`DROP TABLE "help_requests"`);
  }
}
