/** Purging removed instances once their retention period is over (DATA_RETENTION_DAYS). */
import type { AppContext } from './context';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes every instance removed more than DATA_RETENTION_DAYS before now, with all of its rows
 * (every per-instance table references `instances`); returns the count.
 */
export async function purgeExpiredInstances(
  app: AppContext,
): Promise<{ purged: number; removedBefore: string }> {
  const before = new Date(app.now() - app.config.dataRetentionDays * DAY_MS);
  const purged = await (await app.database()).purgeRemovedInstances(before);
  return { purged, removedBefore: before.toISOString() };
}
