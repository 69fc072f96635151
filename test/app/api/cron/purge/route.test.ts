import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { testInstance } from '../../../../helpers/instances';
import { apiRequest, expectProblem } from '../../../../helpers/requests';
import {
  devWebhookKeys,
  signDelivery,
  webhookRequest,
  wholeSeconds,
} from '../../../../helpers/webhooks';

const SECRET = 'cron-secret-0123456789abcdef';
const DAY_MS = 24 * 3600_000;
const dev = devWebhookKeys();

type Handler = (request: Request) => Promise<Response>;

/** The routes with configuration parsed afresh from `env` (the app caches it per process). */
async function appWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const database = await import('@/lib/server/database');
  return {
    purge: (await import('@/app/api/cron/purge/route')).GET as Handler,
    webhook: (await import('@/app/api/webhooks/wix/route')).POST as Handler,
    settings: await import('@/app/api/settings/route'),
    database,
  };
}

// Every re-import shares the one in-memory database the app keeps on globalThis.
afterAll(async () => {
  await (await import('@/lib/server/database')).closeDatabase();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const cron = (purge: Handler, authorization?: string) =>
  purge(apiRequest('/api/cron/purge', { headers: authorization ? { authorization } : {} }));

/** An instance installed with saved settings, then removed (both through the webhook route). */
async function removedInstanceWithSettings(app: Awaited<ReturnType<typeof appWith>>) {
  const id = randomUUID();
  const ago = (ms: number) => wholeSeconds(new Date(Date.now() - ms));
  const install = await signDelivery(dev, 'AppInstalled', id, { at: ago(60_000) });
  expect((await app.webhook(webhookRequest(install))).status).toBe(200);
  const put = await app.settings.PUT(
    apiRequest('/api/settings', {
      method: 'PUT',
      headers: {
        authorization: await testInstance({ instanceId: id }),
        'if-match': '"0"',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ greeting: 'Saved before removal', theme: 'dark' }),
    }),
  );
  expect(put.status).toBe(200);
  const removal = await signDelivery(dev, 'AppRemoved', id, { at: ago(5_000) });
  expect((await app.webhook(webhookRequest(removal))).status).toBe(200);
  return id;
}

describe('GET /api/cron/purge', () => {
  it('answers 503 cron_not_configured without CRON_SECRET', async () => {
    const app = await appWith({ CRON_SECRET: '' });
    await expectProblem(await cron(app.purge, `Bearer ${SECRET}`), 503, 'cron_not_configured');
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong secret', 'Bearer cron-secret-0123456789abcdeX'],
    ['the secret without the Bearer scheme', SECRET],
    ['a prefix of the secret', `Bearer ${SECRET.slice(0, -1)}`],
    ['the secret with a suffix', `Bearer ${SECRET}0`],
  ])('answers 401 invalid_cron_secret for %s', async (_label, authorization) => {
    const app = await appWith({ CRON_SECRET: SECRET });
    await expectProblem(await cron(app.purge, authorization), 401, 'invalid_cron_secret');
  });

  it('answers 200 with the count and the cut-off for the right secret', async () => {
    const app = await appWith({ CRON_SECRET: SECRET });
    const before = Date.now();
    const response = await cron(app.purge, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { purged: number; removedBefore: string };
    expect(body).toEqual({ purged: expect.any(Number), removedBefore: expect.any(String) });
    const cutOff = Date.parse(body.removedBefore);
    expect(cutOff).toBeGreaterThanOrEqual(before - 30 * DAY_MS);
    expect(cutOff).toBeLessThanOrEqual(Date.now() - 30 * DAY_MS);
  });

  it('keeps a just-removed instance and its settings with the default 30 days', async () => {
    const app = await appWith({ CRON_SECRET: SECRET, DATA_RETENTION_DAYS: '' });
    const id = await removedInstanceWithSettings(app);
    const response = await cron(app.purge, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    const store = await app.database.getStore();
    expect(await store.getInstance(id)).toMatchObject({ status: 'removed' });
    expect(await store.getSettings(id)).toMatchObject({
      document: { greeting: 'Saved before removal' },
    });
  });

  it('purges a removed instance and its settings with DATA_RETENTION_DAYS=0', async () => {
    const app = await appWith({ CRON_SECRET: SECRET, DATA_RETENTION_DAYS: '0' });
    // Clear whatever earlier tests left removed, so the count below is this test's alone.
    expect((await cron(app.purge, `Bearer ${SECRET}`)).status).toBe(200);
    const id = await removedInstanceWithSettings(app);
    const stillInstalled = randomUUID();
    const install = await signDelivery(dev, 'AppInstalled', stillInstalled, {
      at: wholeSeconds(new Date(Date.now() - 60_000)),
    });
    expect((await app.webhook(webhookRequest(install))).status).toBe(200);

    const response = await cron(app.purge, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ purged: 1 });
    const store = await app.database.getStore();
    expect(await store.getInstance(id)).toBeNull();
    expect(await store.getSettings(id)).toBeNull();
    expect(await store.getInstance(stillInstalled)).toMatchObject({ status: 'installed' });
    expect(await (await cron(app.purge, `Bearer ${SECRET}`)).json()).toMatchObject({ purged: 0 });
  });
});
