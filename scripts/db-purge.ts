/**
 * Deletes the data of instances removed more than DATA_RETENTION_DAYS ago (default 30) and
 * exits. The same purge runs from the Vercel Cron route (/api/cron/purge).
 */
import { createAppContext } from 'wix-app-backend/app/context';
import { purgeExpiredInstances } from 'wix-app-backend/app/purge';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

loadProjectEnv();

run(async () => {
  const config = configOrReport();
  if (!config) return 1;
  const app = createAppContext(config);
  try {
    const { purged, removedBefore } = await purgeExpiredInstances(app);
    console.log(
      `purged ${purged} instance(s) removed before ${removedBefore} (retention ${config.dataRetentionDays} days)`,
    );
    return 0;
  } finally {
    await (await app.database()).close();
  }
});
