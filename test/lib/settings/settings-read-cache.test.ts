import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { composeDatabase } from 'wix-app-backend/app/database';
import { runMigrations } from 'wix-app-backend/db/migrate';
import {
  IN_MEMORY_DATA_DIR,
  openDatabase,
  type DatabaseHandle,
} from 'wix-app-backend/db/open-database';
import {
  createInstancesStore,
  type InstancesStore,
} from 'wix-app-backend/instances/instances-store';
import {
  withSettingsReadCache,
  type CachedSettingsStore,
} from '@/lib/settings/settings-read-cache';
import {
  copySettingsToDuplicate,
  createSettingsStore,
  openSettingsStore,
  settingsOf,
  type SettingsRecord,
  type SettingsStore,
} from '@/lib/settings/settings-store';
import { APP_MIGRATIONS } from '../../kit';

const T0 = new Date('2026-03-01T12:00:00.000Z');

let handle: DatabaseHandle;
let instances: InstancesStore;
/** The real settings store underneath, uncached, with its reads counted. */
let raw: SettingsStore;
let reads: ReturnType<typeof vi.spyOn>;
let readFromDatabase: SettingsStore['getSettings'];

beforeAll(async () => {
  handle = await openDatabase({
    databaseUrl: null,
    dataDir: IN_MEMORY_DATA_DIR,
    pgliteSnapshot: { migrations: APP_MIGRATIONS },
  });
  await runMigrations(handle.db, APP_MIGRATIONS);
  instances = createInstancesStore(handle.db);
});
afterAll(async () => {
  await handle.close();
});
beforeEach(() => {
  raw = createSettingsStore(handle.db);
  readFromDatabase = raw.getSettings;
  reads = vi.spyOn(raw, 'getSettings');
});

const id = () => `cache-${randomUUID()}`;
/** Saves through `store`, after recording the instance (its settings row references it). */
const save = async (
  store: SettingsStore,
  instanceId: string,
  greeting: string,
  expectedVersion: number,
) => {
  await instances.recordSeen(instanceId, T0.getTime());
  return store.saveSettings(instanceId, {
    document: { greeting, theme: 'light' },
    expectedVersion,
    updatedBy: 'uid-owner',
    at: T0,
  });
};

describe('withSettingsReadCache', () => {
  it('answers a repeated read from memory', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await save(raw, instanceId, 'hello', 0);

    const first = await store.getSettings(instanceId);
    const second = await store.getSettings(instanceId);

    expect(second).toEqual(first);
    expect(first).toMatchObject({ document: { greeting: 'hello' }, version: 1 });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(store.settingsCacheStats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
  });

  it('remembers that an instance never saved settings', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    expect(await store.getSettings(instanceId)).toBeNull();
    expect(await store.getSettings(instanceId)).toBeNull();
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('reads the new document after a save through it', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await store.getSettings(instanceId);
    expect(await save(store, instanceId, 'first', 0)).toMatchObject({ ok: true, version: 1 });
    expect(await store.getSettings(instanceId)).toMatchObject({
      document: { greeting: 'first' },
      version: 1,
    });
    await save(store, instanceId, 'second', 1);
    expect(await store.getSettings(instanceId)).toMatchObject({
      document: { greeting: 'second' },
      version: 2,
    });
  });

  it('reads the database again after a refused (412) save', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await save(raw, instanceId, 'first', 0);
    await store.getSettings(instanceId);
    expect(await save(store, instanceId, 'stale', 0)).toMatchObject({ ok: false });
    await store.getSettings(instanceId);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('drops only the saved instance: others stay cached', async () => {
    const store = withSettingsReadCache(raw);
    const [a, b] = [id(), id()];
    await store.getSettings(a);
    await store.getSettings(b);
    await save(store, a, 'changed', 0);
    await store.getSettings(b);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('forget(id) makes the next read of that instance ask the database; others stay cached', async () => {
    const store = withSettingsReadCache(raw);
    const [a, b] = [id(), id()];
    await save(raw, a, 'before', 0);
    expect(await store.getSettings(a)).toMatchObject({ document: { greeting: 'before' } });
    await store.getSettings(b);
    // Changed behind the cache's back (as a lifecycle event or a purge does).
    await save(raw, a, 'after', 1);
    expect(await store.getSettings(a)).toMatchObject({ document: { greeting: 'before' } });

    store.forget(a);

    expect(await store.getSettings(a)).toMatchObject({ document: { greeting: 'after' } });
    await store.getSettings(b);
    expect(reads).toHaveBeenCalledTimes(3);
    expect(store.settingsCacheStats()).toMatchObject({ entries: 2 });
  });

  it('forget() drops every entry', async () => {
    const store = withSettingsReadCache(raw);
    const [a, b] = [id(), id()];
    await store.getSettings(a);
    await store.getSettings(b);
    store.forget();
    expect(store.settingsCacheStats()).toMatchObject({ entries: 0, bytes: 0 });
    await store.getSettings(a);
    await store.getSettings(b);
    expect(reads).toHaveBeenCalledTimes(4);
  });

  it('lets copySettingsToDuplicate copy in the caller’s transaction, once, and never over a site’s own', async () => {
    const [origin, clone, own] = [id(), id(), id()];
    await save(raw, origin, 'from the original site', 0);
    await save(raw, own, 'the new site’s own', 0);
    await instances.recordSeen(clone, T0.getTime());
    for (const instanceId of [clone, clone, own]) {
      const copy = { originInstanceId: origin, instanceId, at: T0 };
      await handle.db.transaction((tx) => copySettingsToDuplicate(tx, copy));
    }
    expect(await readFromDatabase(clone)).toMatchObject({
      document: { greeting: 'from the original site' },
      version: 1,
      updatedBy: 'copied-from-original-site',
    });
    expect(await readFromDatabase(own)).toMatchObject({
      document: { greeting: 'the new site’s own' },
    });
  });

  it('never caches a value read while a write was in flight', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await save(raw, instanceId, 'old', 0);
    // Hold the first read's answer until the save has finished.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    reads.mockImplementationOnce(async (key: string) => {
      const record = await readFromDatabase(key);
      await held;
      return record;
    });

    const racingRead = store.getSettings(instanceId);
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    await save(store, instanceId, 'new', 1);
    release();

    expect(await racingRead).toMatchObject({ document: { greeting: 'old' } });
    expect(await store.getSettings(instanceId)).toMatchObject({
      document: { greeting: 'new' },
      version: 2,
    });
  });

  it('never caches a value read while a forget happened', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await save(raw, instanceId, 'old', 0);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    reads.mockImplementationOnce(async (key: string) => {
      const record = await readFromDatabase(key);
      await held;
      return record;
    });

    const racingRead = store.getSettings(instanceId);
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    // A lifecycle event changed the settings and the composition said so, mid-read.
    await save(raw, instanceId, 'new', 1);
    store.forget(instanceId);
    release();

    expect(await racingRead).toMatchObject({ document: { greeting: 'old' } });
    expect(await store.getSettings(instanceId)).toMatchObject({
      document: { greeting: 'new' },
      version: 2,
    });
  });

  it('stays within its entry bound, dropping the least recently read', async () => {
    const store = withSettingsReadCache(raw, { maxEntries: 3 });
    const ids = [id(), id(), id(), id()];
    for (const instanceId of ids.slice(0, 3)) await store.getSettings(instanceId);
    await store.getSettings(ids[0]!); // now the most recent
    await store.getSettings(ids[3]!); // evicts ids[1]
    expect(store.settingsCacheStats().entries).toBe(3);

    reads.mockClear();
    await store.getSettings(ids[0]!);
    expect(reads).not.toHaveBeenCalled();
    await store.getSettings(ids[1]!);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('stays within its byte bound', async () => {
    const store = withSettingsReadCache(raw, { maxBytes: 200 });
    const ids = [id(), id(), id()];
    for (const instanceId of ids) {
      await save(raw, instanceId, 'x'.repeat(60), 0);
      await store.getSettings(instanceId);
    }
    const stats = store.settingsCacheStats();
    expect(stats.bytes).toBeLessThanOrEqual(200);
    expect(stats.entries).toBe(2);
  });

  it('hands out records nobody can change in place', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await save(raw, instanceId, 'hello', 0);
    const record = (await store.getSettings(instanceId)) as SettingsRecord;
    expect(() => {
      (record.document as { greeting: string }).greeting = 'tampered';
    }).toThrow(TypeError);
    expect(await store.getSettings(instanceId)).toMatchObject({ document: { greeting: 'hello' } });
  });
});

describe('settingsOf, and the database’s change notices', () => {
  /** The database as the app composes it: the settings copy to a duplicated site registered. */
  const compose = () => composeDatabase(handle, { onSiteDuplicated: [copySettingsToDuplicate] });
  /** A store listening to `database`, as `settingsOf` makes one for each database. */
  const storeOf = (database: ReturnType<typeof composeDatabase>) =>
    openSettingsStore(database, { cacheReads: true }) as CachedSettingsStore;

  it('caches settings reads on PGlite, where one process owns the folder, one store per database', () => {
    const database = compose();
    expect('settingsCacheStats' in settingsOf(database)).toBe(true);
    expect(settingsOf(database)).toBe(settingsOf(database));
  });

  it('never caches on PostgreSQL, which many processes share', () => {
    // Another database object over the same connection, so settingsOf makes a store of its own.
    const database = { ...compose(), engine: 'postgres' as const, db: new Proxy(handle.db, {}) };
    expect('settingsCacheStats' in settingsOf(database)).toBe(false);
  });

  it('keeps its entries across the calls that never touch settings', async () => {
    const database = compose();
    const store = storeOf(database);
    const instanceId = id();
    await database.instances.recordSeen(instanceId, T0.getTime());
    await store.getSettings(instanceId);
    await database.instances.recordSeen(instanceId, T0.getTime() + 120_000);
    await database.instances.getInstance(instanceId);
    await database.appTokens.readAppToken(instanceId);
    await database.ping();
    await store.getSettings(instanceId);
    expect(store.settingsCacheStats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('forgets a clone’s cached read once its AppInstalled has copied the settings', async () => {
    const database = compose();
    const store = storeOf(database);
    const [origin, clone] = [id(), id()];
    await save(store, origin, 'from the original site', 0);
    await database.instances.recordSeen(clone, T0.getTime());
    expect(await store.getSettings(clone)).toBeNull();

    const outcome = await database.applyLifecycleEvent(
      {
        eventType: 'AppInstalled',
        instanceId: clone,
        occurredAt: T0,
        event: { kind: 'installed', originInstanceId: origin },
      },
      { id: `delivery-${randomUUID()}`, receivedAt: T0 },
    );

    expect(outcome).toBe('applied');
    expect(await store.getSettings(clone)).toMatchObject({
      document: { greeting: 'from the original site' },
    });
  });

  it('forgets every cached read after a purge that deleted instances', async () => {
    const database = compose();
    const store = storeOf(database);
    const [doomed, bystander] = [id(), id()];
    await save(store, doomed, 'doomed', 0);
    await store.getSettings(doomed);
    await store.getSettings(bystander);
    const removedAt = new Date('1999-01-01T00:00:00.000Z');
    await database.applyLifecycleEvent(
      {
        eventType: 'AppRemoved',
        instanceId: doomed,
        occurredAt: removedAt,
        event: { kind: 'removed' },
      },
      { id: `delivery-${randomUUID()}`, receivedAt: removedAt },
    );
    await store.getSettings(doomed);

    expect(await database.purgeRemovedInstances(new Date('1999-01-02T00:00:00.000Z'))).toBe(1);

    expect(store.settingsCacheStats().entries).toBe(0);
    expect(await store.getSettings(doomed)).toBeNull();
  });

  it('keeps its entries after a purge that deleted nothing', async () => {
    const database = compose();
    const store = storeOf(database);
    const instanceId = id();
    await store.getSettings(instanceId);
    expect(await database.purgeRemovedInstances(new Date('1971-01-01T00:00:00.000Z'))).toBe(0);
    expect(store.settingsCacheStats().entries).toBe(1);
  });
});
