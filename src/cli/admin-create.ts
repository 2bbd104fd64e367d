import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AdminAccountsService } from '../auth/admin-accounts.service';
import { PasswordHasher } from '../auth/password-hasher';
import { RefreshTokensService } from '../auth/refresh-tokens.service';
import { dataSourceOptions } from '../database/data-source-options';
import { runMigrations } from '../database/migrate';
import { prepareRuntime } from '../database/runtime';

const USAGE =
  'Usage: npm run admin:create -- --email <email> --password <password>\n' +
  '   or: ADMIN_EMAIL=<email> ADMIN_PASSWORD=<password> npm run admin:create';

/**
 * npm run admin:create -- --email E --password P
 * Creates the admin, or makes the existing user with that email an admin with this password.
 * Prints the user id on stdout. Joins the running server's embedded database or starts it for
 * the length of the command (or uses DATABASE_URL), applying pending migrations first.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // The environment (the same pair the server reads on first boot) keeps the password out of
  // the process list and shell history.
  const email = values.email ?? process.env.ADMIN_EMAIL;
  const password = values.password ?? process.env.ADMIN_PASSWORD;
  if (!email || !password) throw new Error(USAGE);

  const runtime = await prepareRuntime('command');
  try {
    const url = process.env.DATABASE_URL!;
    await runMigrations(url);
    const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
    try {
      const admins = new AdminAccountsService(ds, new PasswordHasher(), new RefreshTokensService(ds));
      const result = await admins.createOrUpdateAdmin({ email, password });
      console.error(`${result.created ? 'Created' : 'Updated'} admin ${result.email}`);
      console.log(result.id);
    } finally {
      await ds.destroy();
    }
  } finally {
    await runtime.stop();
  }
}

main().catch((err) => {
  console.error(`fixbid: ${(err as Error).message}`);
  process.exit(1);
});
