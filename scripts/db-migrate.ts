/**
 * Applies pending migrations to the configured database (PGlite in DATA_DIR, or DATABASE_URL)
 * and exits. The app also migrates at startup; this is for deploy pipelines and for checking.
 */
import { loadEnvConfig } from '@next/env';
import { ConfigError, getConfig } from '../lib/config/env';
import { runMigrations } from '../lib/db/migrate';
import { openDatabase } from '../lib/db/open-database';

loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

async function main(): Promise<number> {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    return 1;
  }
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await runMigrations(handle.db);
    console.log(
      `${handle.description}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`,
    );
    return 0;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
