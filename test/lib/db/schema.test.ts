/**
 * The app's own tables (lib/db/schema.ts, migrated from the folder lib/wix-app.ts names) obey
 * the purge contract: each `instance_id` column follows its instance when a removed instance is
 * purged. The package checks its own tables; a table added here is checked here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, instanceIdColumns, purgeEscapes, type TestApp } from '../../kit';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit?.close());

describe('the app’s tables', () => {
  it('are there to check (a control)', async () => {
    const tables = (await instanceIdColumns(kit.database.db)).map(({ table }) => table);
    expect(tables).toEqual(expect.arrayContaining(['notes', 'orders_seen', 'settings']));
  });

  it('each reach the purge of a removed instance', async () => {
    expect(await purgeEscapes(kit.database.db)).toEqual([]);
  });
});
