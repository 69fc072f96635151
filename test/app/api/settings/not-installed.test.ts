import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWixEmulator, type WixEmulator } from '@/lib/dev/wix-emulator';
import { testInstance } from '../../../helpers/instances';
import { apiRequest } from '../../../helpers/requests';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../../helpers/test-credentials';
import {
  devWebhookKeys,
  signDelivery,
  webhookRequest,
  wholeSeconds,
} from '../../../helpers/webhooks';

type Handler = (request: Request) => Promise<Response>;

const dev = devWebhookKeys();
let emulator: WixEmulator;
let settings: { GET: Handler; PUT: Handler };
let wixInstance: Handler;
let webhook: Handler;
let closeDatabase: () => Promise<void>;

// /api/wix/instance calls Wix once access is granted: point the app at the emulator before the
// routes (and so the cached configuration) load.
beforeAll(async () => {
  emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  vi.stubEnv('WIX_API_BASE_URL', emulator.url);
  vi.stubEnv('WIX_EMULATOR', '');
  settings = await import('@/app/api/settings/route');
  wixInstance = (await import('@/app/api/wix/instance/route')).GET;
  webhook = (await import('@/app/api/webhooks/wix/route')).POST;
  const database = await import('@/lib/server/database');
  closeDatabase = database.closeDatabase;
  await database.getDatabase(); // open and migrate once, up front
});
afterAll(async () => {
  await closeDatabase?.();
  await emulator?.close();
  vi.unstubAllEnvs();
});

const minutesAgo = (minutes: number) => wholeSeconds(new Date(Date.now() - minutes * 60_000));

async function deliver(eventType: string, instanceId: string, at: Date) {
  const response = await webhook(
    webhookRequest(await signDelivery(dev, eventType, instanceId, { at })),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

const auth = async (instanceId: string, permissions: string | null = 'OWNER') => ({
  authorization: await testInstance({ instanceId, permissions }),
});
const getSettings = async (id: string, permissions?: string | null) =>
  settings.GET(apiRequest('/api/settings', { headers: await auth(id, permissions) }));
const putSettings = async (id: string, ifMatch: string, greeting: string) =>
  settings.PUT(
    apiRequest('/api/settings', {
      method: 'PUT',
      headers: { ...(await auth(id)), 'if-match': ifMatch, 'content-type': 'application/json' },
      body: JSON.stringify({ greeting, theme: 'dark' }),
    }),
  );
const getWixInstance = async (id: string) =>
  wixInstance(apiRequest('/api/wix/instance', { headers: await auth(id) }));

async function expectNotInstalled(response: Response) {
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ status: 403, code: 'app_not_installed' });
}

const mints = (id: string) => emulator.stats().tokensMintedPerInstance[id] ?? 0;

describe('data routes for a site the app was removed from', () => {
  it('answer 403 app_not_installed, and reach neither the settings nor Wix', async () => {
    const id = randomUUID();
    await deliver('AppInstalled', id, minutesAgo(10));
    expect((await putSettings(id, '"0"', 'Saved while installed')).status).toBe(200);
    await deliver('AppRemoved', id, minutesAgo(5));

    await expectNotInstalled(await getSettings(id));
    await expectNotInstalled(await getSettings(id, null));
    await expectNotInstalled(await putSettings(id, '"1"', 'Saved while removed'));
    await expectNotInstalled(await getWixInstance(id));
    expect(mints(id)).toBe(0);
  });

  it('stay closed when an AppInstalled older than the removal arrives late', async () => {
    const id = randomUUID();
    await deliver('AppInstalled', id, minutesAgo(10));
    await deliver('AppRemoved', id, minutesAgo(5));
    expect(await deliver('AppInstalled', id, minutesAgo(8))).toBe('stale');
    await expectNotInstalled(await getSettings(id));
  });

  it('open again on a reinstall, with the settings saved before the removal', async () => {
    const id = randomUUID();
    await deliver('AppInstalled', id, minutesAgo(10));
    expect((await putSettings(id, '"0"', 'Saved before removal')).status).toBe(200);
    await deliver('AppRemoved', id, minutesAgo(5));
    await expectNotInstalled(await getSettings(id));
    await expectNotInstalled(await putSettings(id, '"1"', 'Saved while removed'));

    expect(await deliver('AppInstalled', id, minutesAgo(1))).toBe('applied');

    const response = await getSettings(id);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      settings: { greeting: 'Saved before removal', theme: 'dark' },
      version: 1,
    });
    const saved = await putSettings(id, '"1"', 'Saved after reinstall');
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ version: 2 });
    const instance = await getWixInstance(id);
    expect(instance.status).toBe(200);
    expect(await instance.json()).toMatchObject({ instanceId: id });
  });

  it('stay open for a site Wix never reported on (no webhooks yet)', async () => {
    const id = randomUUID();
    expect((await getSettings(id)).status).toBe(200);
    expect((await getWixInstance(id)).status).toBe(200);
  });
});
