/**
 * The `settings` table: one versioned document per instance. Every method takes the instance id
 * of a verified identity (never one from a body, query or path). Of many concurrent saves that
 * name one expected version, exactly one succeeds.
 */
import { and, eq, sql } from 'drizzle-orm';
import { guardDatabase } from 'wix-app-backend/db/errors';
import type { Db, Tx } from 'wix-app-backend/db/open-database';
import { settings } from '../db/schema';
import type { DatabaseScope } from 'wix-app-backend/db/tenant';
import type { SiteDuplicatedHook } from 'wix-app-backend/instances/lifecycle-store';
import { withSettingsReadCache } from './settings-read-cache';

export interface SettingsRecord {
  document: unknown;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export type SaveSettingsResult =
  | { ok: true; version: number; updatedAt: Date }
  | { ok: false; reason: 'version_conflict'; currentVersion: number };

export interface SaveSettingsInput {
  document: unknown;
  /** The version the writer read; 0 = never saved. */
  expectedVersion: number;
  updatedBy: string | null;
  at: Date;
}

export interface SettingsStore {
  /** Null when the instance never saved settings. */
  getSettings(instanceId: string): Promise<SettingsRecord | null>;
  /** Saves a new document if the stored version is still `expectedVersion`. Atomic. */
  saveSettings(instanceId: string, input: SaveSettingsInput): Promise<SaveSettingsResult>;
}

const stores = new WeakMap<Db, SettingsStore>();

/**
 * The settings store of a database, one per database and process. On PGlite its reads come from
 * memory: one process owns the folder, every save goes through this store, and the database
 * reports the other changes — a duplicated site's copy, a purge — through `onInstanceChanged`
 * (docs/decisions/013-settings-read-cache-on-pglite.md). PostgreSQL is shared by many processes:
 * every read asks it.
 */
export function settingsOf(scope: DatabaseScope): SettingsStore {
  let store = stores.get(scope.db);
  if (!store) {
    store = openSettingsStore(scope, { cacheReads: scope.engine === 'pglite' });
    stores.set(scope.db, store);
  }
  return store;
}

/** A new store over `scope`, with the read cache on or off (tests hold both to one contract). */
export function openSettingsStore(
  scope: DatabaseScope,
  options: { cacheReads: boolean },
): SettingsStore {
  const store = createSettingsStore(scope.db);
  if (!options.cacheReads) return store;
  const cached = withSettingsReadCache(store);
  scope.onInstanceChanged((instanceId) => cached.forget(instanceId));
  return cached;
}

/**
 * The hook that gives a duplicated site a copy of the original's settings, unless it already has
 * its own (registered in lib/wix-app.ts; packages/wix-app-backend/src/instances/lifecycle-store.ts runs it).
 */
export const copySettingsToDuplicate: SiteDuplicatedHook = async (
  tx: Tx,
  { originInstanceId, instanceId, at },
) => {
  // Through the query builder: a raw Date parameter breaks postgres.js.
  const origin = await tx
    .select({ document: settings.document })
    .from(settings)
    .where(eq(settings.instanceId, originInstanceId))
    .limit(1);
  if (!origin[0]) return;
  await tx
    .insert(settings)
    .values({
      instanceId,
      document: origin[0].document,
      version: 1,
      updatedAt: at,
      updatedBy: 'copied-from-original-site',
    })
    .onConflictDoNothing();
};

export function createSettingsStore(db: Db): SettingsStore {
  // On every settings read's path: built once (docs/benchmarks.md, "settings read").
  const byInstance = db
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
  const currentVersion = async (instanceId: string) => {
    const rows = await db
      .select({ version: settings.version })
      .from(settings)
      .where(eq(settings.instanceId, instanceId))
      .limit(1);
    return rows[0]?.version ?? 0;
  };

  return {
    getSettings: (instanceId) =>
      guardDatabase(async () => (await byInstance.execute({ instanceId }))[0] ?? null),

    saveSettings: (instanceId, { document, expectedVersion, updatedBy, at }) =>
      guardDatabase(async () => {
        // The instance row exists: `app.authenticate` records every verified instance first.
        const saved =
          expectedVersion === 0
            ? await db
                .insert(settings)
                .values({ instanceId, document, version: 1, updatedAt: at, updatedBy })
                .onConflictDoNothing()
                .returning({ version: settings.version, updatedAt: settings.updatedAt })
            : // One statement: the row lock plus the re-checked WHERE make concurrent saves
              // serial, and only the first still sees `expectedVersion`.
              await db
                .update(settings)
                .set({ document, version: sql`${settings.version} + 1`, updatedAt: at, updatedBy })
                .where(
                  and(eq(settings.instanceId, instanceId), eq(settings.version, expectedVersion)),
                )
                .returning({ version: settings.version, updatedAt: settings.updatedAt });
        const row = saved[0];
        if (row) return { ok: true as const, version: row.version, updatedAt: row.updatedAt };
        return {
          ok: false as const,
          reason: 'version_conflict' as const,
          currentVersion: await currentVersion(instanceId),
        };
      }),
  };
}
