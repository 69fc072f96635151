import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runMigrations } from '@/lib/db/migrate';
import { IN_MEMORY_DATA_DIR, openDatabase, type DatabaseHandle } from '@/lib/db/open-database';
import { withSettingsReadCache } from '@/lib/db/settings-read-cache';
import { createStore, type SettingsRecord, type Store } from '@/lib/db/store';

const T0 = new Date('2026-03-01T12:00:00.000Z');

let handle: DatabaseHandle;
/** The real store underneath, uncached, with its settings reads counted. */
let raw: Store;
let reads: ReturnType<typeof vi.spyOn>;
let readFromDatabase: Store['getSettings'];

beforeAll(async () => {
  handle = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR });
  await runMigrations(handle.db);
});
afterAll(async () => {
  await handle.close();
});
beforeEach(() => {
  raw = createStore(handle.db, handle.engine, { cacheSettingsReads: false });
  readFromDatabase = raw.getSettings;
  reads = vi.spyOn(raw, 'getSettings');
});

const id = () => `cache-${randomUUID()}`;
const save = (store: Store, instanceId: string, greeting: string, expectedVersion: number) =>
  store.saveSettings(instanceId, {
    document: { greeting, theme: 'light' },
    expectedVersion,
    updatedBy: 'uid-owner',
    at: T0,
  });

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

  it('forgets everything after a lifecycle write (a clone copies settings in SQL)', async () => {
    const store = withSettingsReadCache(raw);
    const origin = id();
    const clone = id();
    await save(raw, origin, 'from the original site', 0);
    expect(await store.getSettings(clone)).toBeNull();

    await store.applyLifecycleEvent(
      {
        eventType: 'AppInstalled',
        instanceId: clone,
        occurredAt: T0,
        event: { kind: 'installed', originInstanceId: origin },
      },
      { id: `delivery-${randomUUID()}`, receivedAt: T0 },
    );

    expect(await store.getSettings(clone)).toMatchObject({
      document: { greeting: 'from the original site' },
    });
  });

  it('forgets everything after a purge', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await store.getSettings(instanceId);
    await store.purgeRemovedInstances(T0);
    await store.getSettings(instanceId);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('treats a store method it does not know as a write that may change settings', async () => {
    const extended = { ...raw, renameEverything: vi.fn(async () => {}) };
    const store = withSettingsReadCache(extended as Store) as unknown as typeof extended & {
      getSettings: Store['getSettings'];
    };
    const instanceId = id();
    await store.getSettings(instanceId);
    await store.renameEverything();
    await store.getSettings(instanceId);
    expect(extended.renameEverything).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('keeps its entries across the calls that never touch settings', async () => {
    const store = withSettingsReadCache(raw);
    const instanceId = id();
    await store.getSettings(instanceId);
    await store.recordSeen(instanceId, T0, 60_000);
    await store.getInstance(instanceId);
    await store.readAppToken(instanceId);
    await store.ping();
    await store.getSettings(instanceId);
    expect(reads).toHaveBeenCalledTimes(1);
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

describe('createStore', () => {
  it('caches settings reads on PGlite, where one process owns the folder', async () => {
    const store = createStore(handle.db, 'pglite');
    expect('settingsCacheStats' in store).toBe(true);
  });

  it('never caches on PostgreSQL, which many processes share', () => {
    const store = createStore(handle.db, 'postgres');
    expect('settingsCacheStats' in store).toBe(false);
  });
});
