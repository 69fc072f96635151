/**
 * Applies pending migrations to the configured database (PGlite in DATA_DIR, or DATABASE_URL)
 * and exits. The app also migrates at startup; this is for deploy pipelines and for checking.
 */
import { runMigrations } from 'wix-app-backend/db/migrate';
import { openDatabase } from 'wix-app-backend/db/open-database';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

loadProjectEnv();

run(async () => {
  const config = configOrReport();
  if (!config) return 1;
  const handle = await openDatabase(config);
  try {
    const applied = await runMigrations(handle.db);
    console.log(
      `${handle.description}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`,
    );
    return 0;
  } finally {
    await handle.close();
  }
});
