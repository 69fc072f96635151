import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as settingsRoute from '@/app/api/settings/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { GET as wixInstanceRoute } from '@/app/api/wix/instance/route';
import { createTestApp, type TestApp } from '@/test/kit';

// /api/wix/instance calls Wix once access is granted: the kit points the app at its emulator.
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true });
});
afterAll(() => kit.close());

const minutesAgo = (minutes: number) =>
  new Date(Math.floor((Date.now() - minutes * 60_000) / 1000) * 1000);

async function deliver(eventType: string, instanceId: string, at: Date) {
  const body = await kit.signWebhook(eventType, instanceId, { at });
  const response = await kit.call(webhook, '/api/webhooks/wix', { body });
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

const auth = (instanceId: string, permissions: string | null = 'OWNER') =>
  kit.signInstance({ instanceId, permissions });
const getSettings = async (id: string, permissions?: string | null) =>
  kit.call(settingsRoute.GET, '/api/settings', { auth: await auth(id, permissions) });
const putSettings = async (id: string, ifMatch: string, greeting: string) =>
  kit.call(settingsRoute.PUT, '/api/settings', {
    method: 'PUT',
    auth: await auth(id),
    headers: { 'if-match': ifMatch },
    json: { greeting, theme: 'dark' },
  });
const getWixInstance = async (id: string) =>
  kit.call(wixInstanceRoute, '/api/wix/instance', { auth: await auth(id) });

async function expectNotInstalled(response: Response) {
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ status: 403, code: 'app_not_installed' });
}

const mints = (id: string) => kit.emulator!.stats().tokensMintedPerInstance[id] ?? 0;

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
