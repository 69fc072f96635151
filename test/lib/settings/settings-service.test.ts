import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@/lib/auth/identity';
import { runMigrations } from '@/lib/db/migrate';
import { IN_MEMORY_DATA_DIR, openDatabase, type DatabaseHandle } from '@/lib/db/open-database';
import { createStore, type Store } from '@/lib/db/store';
import { HttpError } from '@/lib/http/problem';
import { DEFAULT_SETTINGS } from '@/lib/settings/settings-schema';
import {
  etagFor,
  parseIfMatch,
  readSettings,
  writeSettings,
} from '@/lib/settings/settings-service';

function thrown(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected an HttpError');
}

describe('etagFor', () => {
  it('quotes the version as a strong ETag', () => {
    expect(etagFor(0)).toBe('"0"');
    expect(etagFor(12)).toBe('"12"');
  });
});

describe('parseIfMatch', () => {
  it.each([
    ['missing', null],
    ['empty', ''],
    ['blank', '   '],
    ['a wildcard', '*'],
    ['a padded wildcard', ' * '],
  ])('demands a version (precondition_required) when If-Match is %s', (_label, header) => {
    expect(thrown(() => parseIfMatch(header)).code).toBe('precondition_required');
  });

  it.each([
    ['"0"', 0],
    ['"3"', 3],
    [' "3" ', 3],
    ['"123456789"', 123_456_789],
  ])('reads %s as version %i', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it.each([
    ['a weak ETag', 'W/"3"'],
    ['an unquoted number', '3'],
    ['a non-numeric ETag', '"x"'],
    ['a negative version', '"-1"'],
    ['a fractional version', '"1.5"'],
    ['a list of ETags', '"1", "2"'],
    ['a version too long to be ours', '"1234567890"'],
    ['an empty ETag', '""'],
  ])('treats %s as a version conflict', (_label, header) => {
    expect(thrown(() => parseIfMatch(header)).code).toBe('version_conflict');
  });
});

describe('readSettings and writeSettings', () => {
  let handle: DatabaseHandle;
  let store: Store;
  beforeAll(async () => {
    handle = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR });
    await runMigrations(handle.db);
    store = createStore(handle.db, handle.engine);
  });
  afterAll(() => handle?.close());

  const owner = (instanceId = randomUUID(), uid: string | null = 'user-1'): Identity => ({
    credential: 'signed-instance',
    instanceId,
    uid,
    permissions: 'OWNER',
    isOwner: true,
    signedAt: new Date().toISOString(),
    vendorProductId: null,
  });
  const mine = { greeting: 'Mine', theme: 'dark', notificationEmail: 'me@example.com' } as const;

  it('reads the defaults at version 0 for an instance that never saved', async () => {
    expect(await readSettings(store, randomUUID())).toEqual({
      settings: DEFAULT_SETTINGS,
      version: 0,
      updatedAt: null,
      updatedBy: null,
    });
  });

  it('writes version 1 from version 0 and reads back what it wrote', async () => {
    const identity = owner();
    const now = new Date('2026-04-01T10:00:00.000Z');
    const written = await writeSettings(store, identity, 0, mine, now);
    const expected = {
      settings: mine,
      version: 1,
      updatedAt: now.toISOString(),
      updatedBy: 'user-1',
    };
    expect(written).toEqual(expected);
    expect(await readSettings(store, identity.instanceId)).toEqual(expected);
  });

  it('stores the validated document, not the raw body', async () => {
    const identity = owner();
    await writeSettings(store, identity, 0, { greeting: '  padded  ', theme: 'light' });
    expect(await store.getSettings(identity.instanceId)).toMatchObject({
      document: { greeting: 'padded', theme: 'light', notificationEmail: null },
    });
  });

  it('records a null updatedBy for a credential without a user', async () => {
    const identity = owner(randomUUID(), null);
    expect(await writeSettings(store, identity, 0, mine)).toMatchObject({ updatedBy: null });
  });

  it('refuses an invalid document with invalid_settings naming every issue, saving nothing', async () => {
    const identity = owner();
    const error = await writeSettings(store, identity, 0, {
      greeting: '',
      theme: 'blue',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'invalid_settings' });
    expect((error as HttpError).detail).toContain('greeting');
    expect((error as HttpError).detail).toContain('theme');
    expect(await store.getSettings(identity.instanceId)).toBeNull();
  });

  it('refuses a stale version with version_conflict carrying the current ETag', async () => {
    const identity = owner();
    await writeSettings(store, identity, 0, mine);
    await writeSettings(store, identity, 1, { ...mine, greeting: 'Second' });
    const error = await writeSettings(store, identity, 1, { ...mine, greeting: 'Stale' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'version_conflict', headers: { etag: '"2"' } });
    expect(await readSettings(store, identity.instanceId)).toMatchObject({
      settings: { greeting: 'Second' },
      version: 2,
    });
  });

  it('fills fields missing from a document saved under an older schema with the defaults', async () => {
    const instanceId = randomUUID();
    await store.saveSettings(instanceId, {
      document: { greeting: 'Old but mine' },
      expectedVersion: 0,
      updatedBy: null,
      at: new Date(),
    });
    expect(await readSettings(store, instanceId)).toMatchObject({
      settings: { greeting: 'Old but mine', theme: 'light', notificationEmail: null },
      version: 1,
    });
  });

  // The module promises that an older document "falls back field by field to the defaults".
  // A field the schema has since dropped, or a value it no longer allows, must not throw away
  // the fields that are still valid.
  it('keeps the valid fields of an older document that has a field the schema dropped', async () => {
    const instanceId = randomUUID();
    await store.saveSettings(instanceId, {
      document: { greeting: 'Old but mine', theme: 'dark', accentColor: '#ff0000' },
      expectedVersion: 0,
      updatedBy: null,
      at: new Date(),
    });
    expect((await readSettings(store, instanceId)).settings).toEqual({
      greeting: 'Old but mine',
      theme: 'dark',
      notificationEmail: null,
    });
  });

  it('replaces only the field whose value the schema no longer allows', async () => {
    const instanceId = randomUUID();
    await store.saveSettings(instanceId, {
      document: { greeting: 'Old but mine', theme: 'sepia' },
      expectedVersion: 0,
      updatedBy: null,
      at: new Date(),
    });
    expect((await readSettings(store, instanceId)).settings).toEqual({
      greeting: 'Old but mine',
      theme: 'light',
      notificationEmail: null,
    });
  });

  it.each([
    ['a string', 'hello'],
    ['a list', ['Old but mine']],
  ])('reads the defaults for a stored document that is %s', async (_label, document) => {
    const instanceId = randomUUID();
    await store.saveSettings(instanceId, {
      document,
      expectedVersion: 0,
      updatedBy: null,
      at: new Date(),
    });
    expect(await readSettings(store, instanceId)).toMatchObject({
      settings: DEFAULT_SETTINGS,
      version: 1,
    });
  });
});
