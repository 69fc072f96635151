/**
 * Applies pending migrations to the configured database (PGlite in DATA_DIR, or DATABASE_URL)
 * and exits. The app also migrates at startup; this is for deploy pipelines and for checking.
 */
import { wixApp } from '@/lib/wix-app';
import { migrationSets, runMigrations } from 'wix-app-backend/db/migrate';
import { openDatabase } from 'wix-app-backend/db/open-database';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

loadProjectEnv();

run(async () => {
  const config = configOrReport();
  if (!config) return 1;
  // The machinery's migrations, then the folder lib/wix-app.ts names.
  const migrations = migrationSets(wixApp.definition.migrations);
  const handle = await openDatabase({ ...config, pgliteSnapshot: { migrations } });
  try {
    const applied = await runMigrations(handle.db, migrations);
    console.log(
      `${handle.description}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`,
    );
    return 0;
  } finally {
    await handle.close();
  }
});
