import { MigrationInterface, QueryRunner } from 'typeorm';

const CATEGORIES: Array<[string, string]> = [
  ['windows', 'Windows'],
  ['macos', 'macOS'],
  ['linux', 'Linux'],
  ['office', 'Office & productivity'],
  ['email', 'Email'],
  ['networking', 'Networking & Wi-Fi'],
  ['printers', 'Printers & scanners'],
  ['mobile', 'Phones & tablets'],
  ['security', 'Security & malware'],
  ['data-recovery', 'Data recovery'],
  ['web-development', 'Web development'],
  ['databases', 'Databases'],
  ['cloud', 'Cloud services'],
  ['gaming', 'Gaming'],
  ['smart-home', 'Smart home'],
];

export class Categories1795813745590 implements MigrationInterface {
  name = 'Categories1795813745590';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "categories" ("slug" text NOT NULL, "name" text NOT NULL, "position" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_420d9f679d41281f282f5bc7d09" PRIMARY KEY ("slug"))`);
    for (const [index, [slug, name]] of CATEGORIES.entries()) {
      await queryRunner.query(`INSERT INTO "categories" ("slug", "name", "position") VALUES ($1, $2, $3)`, [slug, name, index]);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "categories"`);
  }
}
