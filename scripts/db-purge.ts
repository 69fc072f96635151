/**
 * Deletes the data of instances removed more than DATA_RETENTION_DAYS ago (default 30) and
 * exits. The same purge runs from the Vercel Cron route (/api/cron/purge).
 */
import { closeDatabase } from '../lib/server/database';
import { purgeExpiredInstances } from '../lib/server/purge';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

loadProjectEnv();

run(async () => {
  const config = configOrReport();
  if (!config) return 1;
  try {
    const { purged, removedBefore } = await purgeExpiredInstances();
    console.log(
      `purged ${purged} instance(s) removed before ${removedBefore} (retention ${config.dataRetentionDays} days)`,
    );
    return 0;
  } finally {
    await closeDatabase();
  }
});
