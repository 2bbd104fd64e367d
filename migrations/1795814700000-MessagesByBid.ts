import { MigrationInterface, QueryRunner } from 'typeorm';

/** Messages belong to the accepted bid's conversation (src/messages/message.entity.ts says why). */
export class MessagesByBid1795814700000 implements MigrationInterface {
  name = 'MessagesByBid1795814700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Messages ship with this feature, so the table is empty wherever this runs.
    await queryRunner.query(`ALTER TABLE "messages" ADD "bid_id" uuid NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_messages_bid_created" ON "messages"  ("bid_id", "created_at", "id") `);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_messages_bid" FOREIGN KEY ("bid_id") REFERENCES "bids"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_messages_bid"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_messages_bid_created"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "bid_id"`);
  }
}
