/**
 * `requireIdentity` plus the instance's stored record. Recording "last seen" costs at most one
 * write per instance per LAST_SEEN_WRITE_INTERVAL_MS: this process skips the database entirely
 * inside the interval, and the SQL only moves the timestamp when it is older than the interval
 * (so several processes together still write about once per interval).
 */
import type { Identity } from '../auth/identity';
import type { InstanceRecord, Store } from '../db/store';
import { HttpError } from '../http/problem';
import { getStore } from './database';
import { requireIdentity } from './require-identity';

export const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;
/** Bounds the per-process memo; the oldest entries go first. */
export const MAX_TRACKED_INSTANCES = 10_000;

const seen = new Map<string, { record: InstanceRecord; checkedAt: number }>();

export interface TenantContext {
  identity: Identity;
  instance: InstanceRecord;
  store: Store;
}

export async function requireInstance(
  request: Request,
  now: () => number = Date.now,
): Promise<TenantContext> {
  const identity = await requireIdentity(request);
  const store = await getStore();
  return { identity, store, instance: await recordSeen(store, identity.instanceId, now()) };
}

/** Records a sighting of the instance, throttled as described above. */
export async function recordSeen(
  store: Store,
  instanceId: string,
  nowMs: number,
): Promise<InstanceRecord> {
  const memo = seen.get(instanceId);
  if (memo && nowMs - memo.checkedAt < LAST_SEEN_WRITE_INTERVAL_MS) return memo.record;
  const record = await store.recordSeen(instanceId, new Date(nowMs), LAST_SEEN_WRITE_INTERVAL_MS);
  seen.delete(instanceId); // re-insert at the end: Map order is the eviction order
  seen.set(instanceId, { record, checkedAt: nowMs });
  if (seen.size > MAX_TRACKED_INSTANCES) seen.delete(seen.keys().next().value as string);
  return record;
}

/** Forgets memoised records (tests; and when a lifecycle event changes an instance). */
export function forgetSeen(instanceId?: string): void {
  if (instanceId === undefined) seen.clear();
  else seen.delete(instanceId);
}

/**
 * For data routes: `requireInstance`, refusing an instance Wix reported removed. Its requests
 * still authenticate (Wix keeps signing them), but its data is on the way to being purged.
 */
export async function requireInstalledInstance(
  request: Request,
  now: () => number = Date.now,
): Promise<TenantContext> {
  const tenant = await requireInstance(request, now);
  if (tenant.instance.status === 'removed') {
    throw new HttpError(
      'app_not_installed',
      'The app was removed from this site; reinstall it to use this.',
    );
  }
  return tenant;
}

/** The installation as /api/me shows it. */
export function installationView(instance: InstanceRecord) {
  return {
    status: (instance.status ?? 'unknown') as 'installed' | 'removed' | 'unknown',
    removedAt: instance.removedAt?.toISOString() ?? null,
    plan: instance.plan
      ? {
          id: instance.plan,
          cycle: instance.planCycle,
          expiresAt: instance.planExpiresAt?.toISOString() ?? null,
          autoRenews: instance.planAutoRenews,
        }
      : null,
  };
}
