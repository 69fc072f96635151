/** Purging removed instances once their retention period is over (DATA_RETENTION_DAYS). */
import { WEBHOOK_CLOCK_LEEWAY_SECONDS } from '../webhooks/verify-webhook';
import type { AppContext } from './context';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes every instance removed more than DATA_RETENTION_DAYS before now, with all of its rows
 * (every per-instance table references `instances`), and the records of webhook deliveries whose
 * JWT expired more than DATA_RETENTION_DAYS ago (a copy of one is refused by its `exp` anyway).
 */
export async function purgeExpiredInstances(
  app: AppContext,
): Promise<{ purged: number; removedBefore: string; deliveriesForgotten: number }> {
  const before = new Date(app.now() - app.config.dataRetentionDays * DAY_MS);
  const database = await app.database();
  const purged = await database.purgeRemovedInstances(before);
  // The verifier accepts a JWT until its exp plus a clock leeway: the record outlives that too.
  const deliveriesForgotten = await database.forgetDeliveries(
    new Date(before.getTime() - WEBHOOK_CLOCK_LEEWAY_SECONDS * 1000),
  );
  return { purged, removedBefore: before.toISOString(), deliveriesForgotten };
}
