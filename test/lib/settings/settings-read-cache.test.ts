import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { composeDatabase } from '@/lib/app/database';
import { runMigrations } from '@/lib/db/migrate';
import { IN_MEMORY_DATA_DIR, openDatabase, type DatabaseHandle } from '@/lib/db/open-database';
import { createInstancesStore, type InstancesStore } from '@/lib/instances/instances-store';
import {
  withSettingsReadCache,
  type CachedSettingsStore,
} from '@/lib/settings/settings-read-cache';
import {
  createSettingsStore,
  type SettingsRecord,
  type SettingsStore,
} from '@/lib/settings/settings-store';

const T0 = new Date('2026-03-01T12:00:00.000Z');

let handle: DatabaseHandle;
let instances: InstancesStore;
/** The real settings store underneath, uncached, with its reads counted. */
let raw: SettingsStore;
let reads: ReturnType<typeof vi.spyOn>;
let readFromDatabase: SettingsStore['getSettings'];

beforeAll(async () => {
  handle = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR });
  await runMigrations(handle.db);
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

  it('passes copySettings through to the store, inside the caller’s transaction', async () => {
    const store = withSettingsReadCache(raw);
    const copies = vi.spyOn(raw, 'copySettings');
    const [origin, clone] = [id(), id()];
    await save(raw, origin, 'from the original site', 0);
    await instances.recordSeen(clone, T0.getTime());
    const copy = { originInstanceId: origin, instanceId: clone, at: T0 };
    await handle.db.transaction((tx) => store.copySettings(tx, copy));
    expect(copies).toHaveBeenCalledWith(expect.anything(), copy);
    expect(await readFromDatabase(clone)).toMatchObject({
      document: { greeting: 'from the original site' },
      updatedBy: 'copied-from-original-site',
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

describe('composeDatabase and the settings read cache', () => {
  const cached = (database: ReturnType<typeof composeDatabase>) =>
    database.settings as CachedSettingsStore;

  it('caches settings reads on PGlite, where one process owns the folder', () => {
    expect('settingsCacheStats' in composeDatabase(handle).settings).toBe(true);
  });

  it('never caches on PostgreSQL, which many processes share', () => {
    const database = composeDatabase({ ...handle, engine: 'postgres' });
    expect('settingsCacheStats' in database.settings).toBe(false);
  });

  it('follows cacheSettingsReads over the engine default either way', () => {
    expect(
      'settingsCacheStats' in composeDatabase(handle, { cacheSettingsReads: false }).settings,
    ).toBe(false);
    const postgres = { ...handle, engine: 'postgres' as const };
    expect(
      'settingsCacheStats' in composeDatabase(postgres, { cacheSettingsReads: true }).settings,
    ).toBe(true);
  });

  it('keeps its entries across the calls that never touch settings', async () => {
    const database = composeDatabase(handle);
    const instanceId = id();
    await database.instances.recordSeen(instanceId, T0.getTime());
    await database.settings.getSettings(instanceId);
    await database.instances.recordSeen(instanceId, T0.getTime() + 120_000);
    await database.instances.getInstance(instanceId);
    await database.appTokens.readAppToken(instanceId);
    await database.ping();
    await database.settings.getSettings(instanceId);
    expect(cached(database).settingsCacheStats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('forgets a clone’s cached read once its AppInstalled has copied the settings', async () => {
    const database = composeDatabase(handle);
    const [origin, clone] = [id(), id()];
    await save(database.settings, origin, 'from the original site', 0);
    await database.instances.recordSeen(clone, T0.getTime());
    expect(await database.settings.getSettings(clone)).toBeNull();

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
    expect(await database.settings.getSettings(clone)).toMatchObject({
      document: { greeting: 'from the original site' },
    });
  });

  it('forgets every cached read after a purge that deleted instances', async () => {
    const database = composeDatabase(handle);
    const [doomed, bystander] = [id(), id()];
    await save(database.settings, doomed, 'doomed', 0);
    await database.settings.getSettings(doomed);
    await database.settings.getSettings(bystander);
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
    await database.settings.getSettings(doomed);

    expect(await database.purgeRemovedInstances(new Date('1999-01-02T00:00:00.000Z'))).toBe(1);

    expect(cached(database).settingsCacheStats().entries).toBe(0);
    expect(await database.settings.getSettings(doomed)).toBeNull();
  });

  it('keeps its entries after a purge that deleted nothing', async () => {
    const database = composeDatabase(handle);
    const instanceId = id();
    await database.settings.getSettings(instanceId);
    expect(await database.purgeRemovedInstances(new Date('1971-01-01T00:00:00.000Z'))).toBe(0);
    expect(cached(database).settingsCacheStats().entries).toBe(1);
  });
});
