/**
 * The `instances` table: one row per app instance, created the first time a verified request for
 * it arrives (so every per-instance table can reference it) and kept up to date by the
 * lifecycle webhooks. Recording "last seen" costs at most one write per instance per
 * LAST_SEEN_WRITE_INTERVAL_MS: this process skips the database entirely inside the interval,
 * and the SQL only moves the timestamp when it is older than the interval (so several processes
 * together still write about once per interval).
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { guardDatabase } from '../db/errors';
import type { Db } from '../db/open-database';
import { instances } from '../db/schema';

export const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;
/** Bounds the per-process memo; the oldest entries go first. */
export const MAX_TRACKED_INSTANCES = 10_000;

/** One instance's row: first and last seen, and the lifecycle state the webhooks keep. */
export type InstanceRecord = typeof instances.$inferSelect;

export interface InstancesStore {
  /**
   * Records that the instance was seen at `nowMs` and returns its row: creates it the first time,
   * and moves `lastSeenAt` at most once per interval (served from memory in between).
   */
  recordSeen(instanceId: string, nowMs: number): Promise<InstanceRecord>;
  getInstance(instanceId: string): Promise<InstanceRecord | null>;
  /**
   * Deletes every instance removed before `before`. Each per-instance table references
   * `instances` (schema.ts, `instanceIdColumn`), so their rows go with it; returns how many.
   */
  purgeRemoved(before: Date): Promise<number>;
  /**
   * Sets the plan as Wix reported it at `at` (Get App Instance), unless an event newer than
   * that already set it; returns the row either way.
   */
  recordPlan(instanceId: string, plan: ObservedPlan, at: Date): Promise<InstanceRecord | null>;
  /** Drops memoised rows (one instance, or all) after a change this process made or learnt of. */
  forget(instanceId?: string): void;
}

export interface ObservedPlan {
  /** Null: the free plan. */
  plan: string | null;
  cycle: string | null;
  expiresAt: Date | null;
  autoRenews: boolean | null;
}

export function createInstancesStore(
  db: Db,
  options: { writeIntervalMs?: number; maxTracked?: number } = {},
): InstancesStore {
  const interval = options.writeIntervalMs ?? LAST_SEEN_WRITE_INTERVAL_MS;
  const maxTracked = options.maxTracked ?? MAX_TRACKED_INSTANCES;
  const seen = new Map<string, { record: InstanceRecord; checkedAt: number }>();
  // On every request's path: built once (drizzle's query building costs more than the query).
  const byId = db
    .select()
    .from(instances)
    .where(eq(instances.instanceId, sql.placeholder('instanceId')))
    .limit(1)
    .prepare('instance_by_id');
  const getInstance = async (instanceId: string) => (await byId.execute({ instanceId }))[0] ?? null;

  return {
    async recordSeen(instanceId, nowMs) {
      const memo = seen.get(instanceId);
      if (memo && nowMs - memo.checkedAt < interval) return memo.record;
      const at = new Date(nowMs);
      const record = await guardDatabase(async () => {
        const rows = await db
          .insert(instances)
          .values({ instanceId, firstSeenAt: at, lastSeenAt: at })
          .onConflictDoUpdate({
            target: instances.instanceId,
            set: { lastSeenAt: at },
            setWhere: lt(instances.lastSeenAt, new Date(nowMs - interval)),
          })
          .returning();
        const row = rows[0] ?? (await getInstance(instanceId));
        if (!row) throw new Error(`instance ${instanceId} vanished while being recorded`);
        return row;
      });
      seen.delete(instanceId); // re-insert at the end: Map order is the eviction order
      seen.set(instanceId, { record, checkedAt: nowMs });
      if (seen.size > maxTracked) seen.delete(seen.keys().next().value as string);
      return record;
    },

    getInstance: (instanceId) => guardDatabase(() => getInstance(instanceId)),

    purgeRemoved: (before) =>
      guardDatabase(async () => {
        const purged = await db
          .delete(instances)
          .where(and(eq(instances.status, 'removed'), lt(instances.removedAt, before)))
          .returning({ id: instances.instanceId });
        // This process's memo would otherwise serve purged rows for up to an interval.
        if (purged.length > 0) seen.clear();
        return purged.length;
      }),

    recordPlan: (instanceId, observed, at) =>
      guardDatabase(async () => {
        const mine = eq(instances.instanceId, instanceId);
        await db
          .update(instances)
          .set({
            plan: observed.plan,
            planCycle: observed.cycle,
            planExpiresAt: observed.expiresAt,
            planAt: at,
          })
          .where(and(mine, or(isNull(instances.planAt), lt(instances.planAt, at))));
        // The renewal on its own clock, as the events keep it (lifecycle-store.ts).
        await db
          .update(instances)
          .set({ planAutoRenews: observed.autoRenews, planRenewalAt: at })
          .where(and(mine, or(isNull(instances.planRenewalAt), lt(instances.planRenewalAt, at))));
        seen.delete(instanceId);
        return getInstance(instanceId);
      }),

    forget(instanceId) {
      if (instanceId === undefined) seen.clear();
      else seen.delete(instanceId);
    },
  };
}
