import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppDatabase, type AppDatabase } from 'wix-app-backend/app/database';
import type { Identity } from 'wix-app-backend/auth/identity';
import { IN_MEMORY_DATA_DIR } from 'wix-app-backend/db/open-database';
import { AppError } from 'wix-app-backend/errors/app-error';
import { toProblemResponse } from 'wix-app-backend/http/problem';
import { DEFAULT_SETTINGS } from '@/lib/settings/settings-schema';
import { readSettings, writeSettings } from '@/lib/settings/settings-service';
import { settingsOf } from '@/lib/settings/settings-store';
import type { Tenant } from 'wix-app-backend/db/tenant';
import { APP_MIGRATIONS } from '../../kit';

describe('readSettings and writeSettings', () => {
  let database: AppDatabase;
  beforeAll(async () => {
    database = await openAppDatabase(
      { databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR },
      { migrations: APP_MIGRATIONS },
    );
  });
  afterAll(() => database?.close());

  /** The tenant `app.authenticate` hands a handler for a verified instance: its row recorded. */
  const tenantOf = async (instanceId: string): Promise<Tenant> => {
    await database.instances.recordSeen(instanceId, Date.now());
    return {
      instanceId,
      db: database.db,
      engine: database.engine,
      onInstanceChanged: database.onInstanceChanged,
    };
  };
  const storedSettings = (instanceId: string) => settingsOf(database).getSettings(instanceId);
  /** A write by `identity` (its uid is recorded as who changed the settings). */
  const write = (
    tenant: Tenant,
    identity: Identity,
    expectedVersion: number,
    body: unknown,
    at: Date = new Date(),
  ) => writeSettings(tenant, expectedVersion, body, { at, by: identity.uid });
  const saveRaw = async (instanceId: string, document: unknown) => {
    await tenantOf(instanceId);
    await settingsOf(database).saveSettings(instanceId, {
      document,
      expectedVersion: 0,
      updatedBy: null,
      at: new Date(),
    });
  };

  const owner = (instanceId = randomUUID(), uid: string | null = 'user-1'): Identity => ({
    credential: 'signed-instance',
    instanceId,
    uid,
    permissions: 'OWNER',
    isOwner: true,
    caller: 'dashboard',
    signedAt: new Date().toISOString(),
    vendorProductId: null,
  });
  const mine = { greeting: 'Mine', theme: 'dark', notificationEmail: 'me@example.com' } as const;

  it('reads the defaults at version 0 for an instance that never saved', async () => {
    expect(await readSettings(await tenantOf(randomUUID()))).toEqual({
      settings: DEFAULT_SETTINGS,
      version: 0,
      updatedAt: null,
      updatedBy: null,
    });
  });

  it('writes version 1 from version 0 and reads back what it wrote', async () => {
    const identity = owner();
    const tenant = await tenantOf(identity.instanceId);
    const now = new Date('2026-04-01T10:00:00.000Z');
    const written = await write(tenant, identity, 0, mine, now);
    const expected = {
      settings: mine,
      version: 1,
      updatedAt: now.toISOString(),
      updatedBy: 'user-1',
    };
    expect(written).toEqual(expected);
    expect(await readSettings(tenant)).toEqual(expected);
  });

  it('stores the validated document, not the raw body', async () => {
    const identity = owner();
    const tenant = await tenantOf(identity.instanceId);
    await write(tenant, identity, 0, { greeting: '  padded  ', theme: 'light' });
    expect(await storedSettings(identity.instanceId)).toMatchObject({
      document: { greeting: 'padded', theme: 'light', notificationEmail: null },
    });
  });

  it('records a null updatedBy for a credential without a user', async () => {
    const identity = owner(randomUUID(), null);
    const tenant = await tenantOf(identity.instanceId);
    expect(await write(tenant, identity, 0, mine)).toMatchObject({ updatedBy: null });
  });

  it('refuses an invalid document with invalid_settings naming every issue, saving nothing', async () => {
    const identity = owner();
    const tenant = await tenantOf(identity.instanceId);
    const error = await write(tenant, identity, 0, {
      greeting: '',
      theme: 'blue',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'invalid_settings' });
    expect((error as AppError).detail).toContain('greeting');
    expect((error as AppError).detail).toContain('theme');
    expect(await storedSettings(identity.instanceId)).toBeNull();
    expect(toProblemResponse(error).status).toBe(400);
  });

  it('refuses a stale version with version_conflict carrying the current ETag', async () => {
    const identity = owner();
    const tenant = await tenantOf(identity.instanceId);
    await write(tenant, identity, 0, mine);
    await write(tenant, identity, 1, { ...mine, greeting: 'Second' });
    const error = await write(tenant, identity, 1, { ...mine, greeting: 'Stale' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    const response = toProblemResponse(error);
    expect(response.status).toBe(412);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(await readSettings(tenant)).toMatchObject({
      settings: { greeting: 'Second' },
      version: 2,
    });
  });

  it('reads and writes only the tenant’s own instance', async () => {
    const a = owner();
    const tenantA = await tenantOf(a.instanceId);
    const tenantB = await tenantOf(randomUUID());
    await write(tenantA, a, 0, mine);
    expect(await readSettings(tenantB)).toMatchObject({ settings: DEFAULT_SETTINGS, version: 0 });
    const error = await write(tenantB, a, 1, { ...mine, greeting: 'Not yours' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'version_conflict', currentVersion: 0 });
    expect(await readSettings(tenantA)).toMatchObject({ settings: mine, version: 1 });
  });

  it('fills fields missing from a document saved under an older schema with the defaults', async () => {
    const instanceId = randomUUID();
    await saveRaw(instanceId, { greeting: 'Old but mine' });
    expect(await readSettings(await tenantOf(instanceId))).toMatchObject({
      settings: { greeting: 'Old but mine', theme: 'light', notificationEmail: null },
      version: 1,
    });
  });

  // The module promises that an older document "falls back field by field to the defaults".
  // A field the schema has since dropped, or a value it no longer allows, must not throw away
  // the fields that are still valid.
  it('keeps the valid fields of an older document that has a field the schema dropped', async () => {
    const instanceId = randomUUID();
    await saveRaw(instanceId, { greeting: 'Old but mine', theme: 'dark', accentColor: '#ff0000' });
    expect((await readSettings(await tenantOf(instanceId))).settings).toEqual({
      greeting: 'Old but mine',
      theme: 'dark',
      notificationEmail: null,
    });
  });

  it('replaces only the field whose value the schema no longer allows', async () => {
    const instanceId = randomUUID();
    await saveRaw(instanceId, { greeting: 'Old but mine', theme: 'sepia' });
    expect((await readSettings(await tenantOf(instanceId))).settings).toEqual({
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
    await saveRaw(instanceId, document);
    expect(await readSettings(await tenantOf(instanceId))).toMatchObject({
      settings: DEFAULT_SETTINGS,
      version: 1,
    });
  });
});
