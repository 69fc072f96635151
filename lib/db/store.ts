/**
 * The storage interface the app uses, and its one implementation over drizzle, which runs
 * unchanged on PGlite and PostgreSQL. Every method takes the instance id as its first argument;
 * callers pass only a verified identity's `instanceId` (never one from a body, query or path).
 * Every backend must pass test/lib/db/store.contract.ts.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { createAppTokenStore, type AppTokenStore } from './app-token-store';
import { guardDatabase } from './errors';
import { createLifecycleStore, type LifecycleStore } from './lifecycle-store';
import type { Db, Engine } from './open-database';
import { instances, settings } from './schema';
import { withSettingsReadCache } from './settings-read-cache';

/** One instance's row: first and last seen, and the lifecycle state the webhooks keep. */
export type InstanceRecord = typeof instances.$inferSelect;

export interface SettingsRecord {
  document: unknown;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export type SaveSettingsResult =
  | { ok: true; version: number; updatedAt: Date }
  | { ok: false; reason: 'version_conflict'; currentVersion: number };

export interface Store extends AppTokenStore, LifecycleStore {
  readonly engine: Engine;
  /**
   * Records that the instance was seen at `at`: creates its row the first time, and moves
   * `lastSeenAt` only when it is older than `minIntervalMs` (a write at most that often).
   */
  recordSeen(instanceId: string, at: Date, minIntervalMs: number): Promise<InstanceRecord>;
  getInstance(instanceId: string): Promise<InstanceRecord | null>;
  /** Null when the instance never saved settings. */
  getSettings(instanceId: string): Promise<SettingsRecord | null>;
  /**
   * Saves a new settings document if the stored version is still `expectedVersion` (0 = never
   * saved). Atomic: of many concurrent saves with one expected version, exactly one succeeds.
   */
  saveSettings(
    instanceId: string,
    input: { document: unknown; expectedVersion: number; updatedBy: string | null; at: Date },
  ): Promise<SaveSettingsResult>;
  /** Throws (503 `HttpError`) when the database cannot be reached. */
  ping(): Promise<void>;
}

export function createStore(
  db: Db,
  engine: Engine,
  options: { cacheSettingsReads?: boolean } = {},
): Store {
  // The reads on every request's path are built once: drizzle's query building costs more than
  // the query itself here (~200 µs of ~350 µs per settings read, measured; docs/benchmarks.md).
  const instanceById = db
    .select()
    .from(instances)
    .where(eq(instances.instanceId, sql.placeholder('instanceId')))
    .limit(1)
    .prepare('instance_by_id');
  const settingsById = db
    .select({
      document: settings.document,
      version: settings.version,
      updatedAt: settings.updatedAt,
      updatedBy: settings.updatedBy,
    })
    .from(settings)
    .where(eq(settings.instanceId, sql.placeholder('instanceId')))
    .limit(1)
    .prepare('settings_by_instance');
  const getInstance = async (instanceId: string) =>
    (await instanceById.execute({ instanceId }))[0] ?? null;
  const currentVersion = async (instanceId: string) => {
    const rows = await db
      .select({ version: settings.version })
      .from(settings)
      .where(eq(settings.instanceId, instanceId))
      .limit(1);
    return rows[0]?.version ?? 0;
  };

  const store: Store = {
    engine,
    ...createAppTokenStore(db, engine),
    ...createLifecycleStore(db),
    recordSeen: (instanceId, at, minIntervalMs) =>
      guardDatabase(async () => {
        const rows = await db
          .insert(instances)
          .values({ instanceId, firstSeenAt: at, lastSeenAt: at })
          .onConflictDoUpdate({
            target: instances.instanceId,
            set: { lastSeenAt: at },
            setWhere: lt(instances.lastSeenAt, new Date(at.getTime() - minIntervalMs)),
          })
          .returning();
        const row = rows[0] ?? (await getInstance(instanceId));
        if (!row) throw new Error(`instance ${instanceId} vanished while being recorded`);
        return row;
      }),

    getInstance: (instanceId) => guardDatabase(() => getInstance(instanceId)),

    getSettings: (instanceId) =>
      guardDatabase(async () => (await settingsById.execute({ instanceId }))[0] ?? null),

    saveSettings: (instanceId, { document, expectedVersion, updatedBy, at }) =>
      guardDatabase(async () => {
        const saved = await db.transaction(async (tx) => {
          await tx
            .insert(instances)
            .values({ instanceId, firstSeenAt: at, lastSeenAt: at })
            .onConflictDoNothing();
          if (expectedVersion === 0) {
            return tx
              .insert(settings)
              .values({ instanceId, document, version: 1, updatedAt: at, updatedBy })
              .onConflictDoNothing()
              .returning({ version: settings.version, updatedAt: settings.updatedAt });
          }
          // One statement: the row lock plus the re-checked WHERE make concurrent saves serial,
          // and only the first still sees `expectedVersion`.
          return tx
            .update(settings)
            .set({ document, version: sql`${settings.version} + 1`, updatedAt: at, updatedBy })
            .where(and(eq(settings.instanceId, instanceId), eq(settings.version, expectedVersion)))
            .returning({ version: settings.version, updatedAt: settings.updatedAt });
        });
        const row = saved[0];
        if (row) return { ok: true as const, version: row.version, updatedAt: row.updatedAt };
        return {
          ok: false as const,
          reason: 'version_conflict' as const,
          currentVersion: await currentVersion(instanceId),
        };
      }),

    ping: () =>
      guardDatabase(async () => {
        await db.execute(sql`select 1`);
      }),
  };
  // One process owns a PGlite folder, so it can keep settings in memory; see the module.
  const cacheSettingsReads = options.cacheSettingsReads ?? engine === 'pglite';
  return cacheSettingsReads ? withSettingsReadCache(store) : store;
}
