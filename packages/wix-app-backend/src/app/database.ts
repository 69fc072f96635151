/**
 * The database, composed: one place where the machinery's storage modules — instances, app
 * tokens, lifecycle deliveries, the event queue — are built over one connection and wired
 * together. The wiring is the part no single module can know: a lifecycle event or a purge
 * changes instances behind the per-process memos (last seen here; a resource's own, such as the
 * settings read cache, through `onInstanceChanged`), so this module tells them.
 *
 * A per-instance table of the app does not come here: its data module queries `tenant.db`
 * (docs/adding-a-route.md), the purge reaches its rows through the foreign key, and a copy to a
 * duplicated site is a hook it registers (`onSiteDuplicated`).
 */
import { sql } from 'drizzle-orm';
import { guardDatabase } from '../db/errors';
import { migrationSets, runMigrations, type MigrationSet } from '../db/migrate';
import {
  openDatabase,
  type DatabaseHandle,
  type DatabaseOptions,
  type Db,
  type Engine,
  type Tx,
} from '../db/open-database';
import { createEventQueue, type EventQueue } from '../events/event-queue';
import { createInstancesStore, type InstancesStore } from '../instances/instances-store';
import type { LifecycleEnvelope } from '../instances/lifecycle-event';
import {
  createLifecycleStore,
  type Delivery,
  type LifecycleOutcome,
  type SiteDuplicatedHook,
} from '../instances/lifecycle-store';
import type { DatabaseScope } from '../db/tenant';
import { createAppTokenStore, type AppTokenStore } from '../wix/app-token-store';

export interface AppDatabase extends DatabaseScope {
  readonly engine: Engine;
  readonly db: Db;
  readonly handle: DatabaseHandle;
  /** Migrations this process applied when it opened the database. */
  readonly migrationsApplied: string[];
  readonly instances: InstancesStore;
  readonly appTokens: AppTokenStore;
  /** Events waiting for your event handlers (src/events). */
  readonly eventQueue: EventQueue;
  /** Records a webhook delivery once and applies its lifecycle event if newer (decision 012). */
  applyLifecycleEvent(
    envelope: LifecycleEnvelope,
    delivery: Delivery,
    alsoInTransaction?: (tx: Tx) => Promise<void>,
  ): Promise<LifecycleOutcome>;
  /** Deletes instances removed before `before`, with every row that references them. */
  purgeRemovedInstances(before: Date): Promise<number>;
  /** Deletes delivery records whose JWT expired before `before` (see LifecycleStore). */
  forgetDeliveries(before: Date): Promise<number>;
  /** Throws `DatabaseUnavailableError` (503) when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ComposeOptions {
  /**
   * The app's copies to a duplicated site, run in order inside the transaction that applies its
   * `AppInstalled` (src/instances/lifecycle-store.ts).
   */
  onSiteDuplicated?: readonly SiteDuplicatedHook[];
}

/** Builds the stores over an open, migrated database. */
export function composeDatabase(
  handle: DatabaseHandle,
  options: ComposeOptions & { migrationsApplied?: string[] } = {},
): AppDatabase {
  const { db, engine } = handle;
  const instances = createInstancesStore(db);
  const hooks = options.onSiteDuplicated ?? [];
  const lifecycle = createLifecycleStore(db, {
    onInstalledFromOrigin: async (tx, copy) => {
      for (const hook of hooks) await hook(tx, copy);
    },
  });
  const listeners = new Set<(instanceId?: string) => void>();
  const changed = (instanceId?: string) => {
    instances.forget(instanceId);
    for (const listener of listeners) listener(instanceId);
  };

  return {
    engine,
    db,
    handle,
    migrationsApplied: options.migrationsApplied ?? [],
    instances,
    onInstanceChanged: (listener) => void listeners.add(listener),
    appTokens: createAppTokenStore(db, engine),
    eventQueue: createEventQueue(db),
    async applyLifecycleEvent(envelope, delivery, alsoInTransaction) {
      const outcome = await lifecycle.applyLifecycleEvent(envelope, delivery, alsoInTransaction);
      // This process's memos must not serve the old state; other processes refresh within a
      // minute (instances) or never cache (settings on PostgreSQL).
      if (outcome === 'applied') changed(envelope.instanceId);
      return outcome;
    },
    forgetDeliveries: (before) => lifecycle.forgetDeliveries(before),
    async purgeRemovedInstances(before) {
      const purged = await instances.purgeRemoved(before);
      if (purged > 0) changed();
      return purged;
    },
    ping: () =>
      guardDatabase(async () => {
        await db.execute(sql`select 1`);
      }),
    close: () => handle.close(),
  };
}

/**
 * Opens (lock, connect), migrates and composes the database a configuration names. `migrations`:
 * the sets it runs (default: the machinery's alone), which a new PGlite database's snapshot holds.
 */
export async function openAppDatabase(
  config: DatabaseOptions,
  options: ComposeOptions & { migrations?: readonly MigrationSet[] } = {},
): Promise<AppDatabase> {
  const migrations = options.migrations ?? migrationSets();
  const handle = await openDatabase({
    ...config,
    pgliteSnapshot:
      config.pgliteSnapshot === false ? false : { ...config.pgliteSnapshot, migrations },
  });
  try {
    const migrationsApplied = await runMigrations(handle.db, migrations);
    return composeDatabase(handle, { ...options, migrationsApplied });
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}
