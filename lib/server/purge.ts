/** Purging removed instances once their retention period is over (DATA_RETENTION_DAYS). */
import { timingSafeEqual, createHash } from 'node:crypto';
import { getConfig } from '../config/env';
import { HttpError } from '../http/problem';
import { getStore } from './database';
import { forgetSeen } from './require-instance';

const DAY_MS = 24 * 3600 * 1000;

/** Deletes every instance removed more than DATA_RETENTION_DAYS before `now`; returns the count. */
export async function purgeExpiredInstances(
  now: Date = new Date(),
): Promise<{ purged: number; removedBefore: string }> {
  const before = new Date(now.getTime() - getConfig().dataRetentionDays * DAY_MS);
  const purged = await (await getStore()).purgeRemovedInstances(before);
  // This process's "last seen" memo would otherwise serve the purged rows for up to a minute.
  if (purged > 0) forgetSeen();
  return { purged, removedBefore: before.toISOString() };
}

/** Vercel Cron sends `Authorization: Bearer <CRON_SECRET>`; compared in constant time. */
export function requireCronSecret(request: Request): void {
  const secret = getConfig().cronSecret;
  if (!secret)
    throw new HttpError('cron_not_configured', 'Set CRON_SECRET to enable the purge route.');
  const sent = request.headers.get('authorization') ?? '';
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the secret's length.
  if (!timingSafeEqual(digest(sent), digest(`Bearer ${secret}`))) {
    throw new HttpError('invalid_cron_secret', 'Send Authorization: Bearer <CRON_SECRET>.');
  }
}
