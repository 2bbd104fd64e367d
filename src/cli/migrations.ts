import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/data-source-options';
import { runMigrations } from '../database/migrate';
import { prepareRuntime } from '../database/runtime';
import { SchemaStatement, schemaDiff } from '../database/schema-diff';

/**
 * npm run migration:run | migration:revert | migration:generate -- <Name>
 * Works whether or not the server is running: it joins the server's embedded database or
 * starts it for the length of the command (or uses DATABASE_URL).
 */
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const runtime = await prepareRuntime('command');
  const url = process.env.DATABASE_URL!;
  try {
    if (command === 'run') {
      const applied = await runMigrations(url);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
    } else if (command === 'revert') {
      const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
      await ds.undoLastMigration({ transaction: 'each' });
      await ds.destroy();
      console.log('Reverted the last migration.');
    } else if (command === 'generate') {
      if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('Usage: npm run migration:generate -- <PascalName>');
      await runMigrations(url);
      const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
      const diff = await schemaDiff(ds);
      await ds.destroy();
      if (!diff.up.length) {
        console.log('Entities and migrations agree: nothing to generate.');
        return;
      }
      const timestamp = Date.now();
      const file = join(__dirname, '..', '..', '..', 'migrations', `${timestamp}-${name}.ts`);
      writeFileSync(file, renderMigration(`${name}${timestamp}`, diff.up, diff.down));
      console.log(`Wrote ${file}`);
    } else {
      throw new Error('Usage: migrations run | revert | generate <PascalName>');
    }
  } finally {
    await runtime.stop();
  }
}

function renderMigration(className: string, up: SchemaStatement[], down: SchemaStatement[]): string {
  const quote = (q: string) => '`' + q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  const lines = (qs: SchemaStatement[]) =>
    qs.map((q) => `    await queryRunner.query(${quote(q.query)}${q.parameters ? `, ${JSON.stringify(q.parameters)}` : ''});`).join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

main().catch((err) => {
  console.error(`fixbid: ${(err as Error).message}`);
  process.exit(1);
});
