import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/cron/purge/route';
import * as settingsRoute from '@/app/api/settings/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';
import { settingsOf } from '@/lib/settings/settings-store';

const SECRET = 'cron-secret-0123456789abcdef';
const DAY_MS = 24 * 3600_000;

// One database for the file; each test configures the route with `kit.withEnv`.
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

const cron = (app: TestApp, authorization?: string) =>
  app.call(GET, '/api/cron/purge', authorization === undefined ? {} : { auth: authorization });

const secondsAgo = (seconds: number) => new Date(Math.floor(Date.now() / 1000 - seconds) * 1000);

/** POSTs a signed lifecycle delivery to the webhook route; returns its outcome. */
async function deliver(body: string): Promise<string> {
  const response = await kit.call(webhook, '/api/webhooks/wix', { body });
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

/** An instance installed with saved settings, then removed (both through the webhook route). */
async function removedInstanceWithSettings() {
  const id = randomUUID();
  await deliver(await kit.signWebhook('AppInstalled', id, { at: secondsAgo(60) }));
  const put = await kit.call(settingsRoute.PUT, '/api/settings', {
    method: 'PUT',
    auth: await kit.signInstance({ instanceId: id }),
    headers: { 'if-match': '"0"' },
    json: { greeting: 'Saved before removal', theme: 'dark' },
  });
  expect(put.status).toBe(200);
  const removal = await kit.signWebhook('AppRemoved', id, { at: secondsAgo(5) });
  await deliver(removal);
  return { id, removal };
}

describe('GET /api/cron/purge', () => {
  it('answers 503 cron_not_configured without CRON_SECRET', async () => {
    const app = kit.withEnv({ CRON_SECRET: '' });
    await expectProblem(await cron(app, `Bearer ${SECRET}`), 503, 'cron_not_configured');
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong secret', 'Bearer cron-secret-0123456789abcdeX'],
    ['the secret without the Bearer scheme', SECRET],
    ['a prefix of the secret', `Bearer ${SECRET.slice(0, -1)}`],
    ['the secret with a suffix', `Bearer ${SECRET}0`],
  ])('answers 401 invalid_cron_secret for %s', async (_label, authorization) => {
    const app = kit.withEnv({ CRON_SECRET: SECRET });
    await expectProblem(await cron(app, authorization), 401, 'invalid_cron_secret');
  });

  it('answers 200 with the count and the cut-off, 30 days before the clock, for the right secret', async () => {
    const now = Date.parse('2026-03-01T12:00:00.000Z');
    const app = kit.withEnv({ CRON_SECRET: SECRET }, { now: () => now });
    const response = await cron(app, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      purged: expect.any(Number),
      removedBefore: new Date(now - 30 * DAY_MS).toISOString(),
      deliveriesForgotten: expect.any(Number),
    });
  });

  it('keeps a just-removed instance and its settings with the default 30 days', async () => {
    const app = kit.withEnv({ CRON_SECRET: SECRET, DATA_RETENTION_DAYS: '' });
    const { id } = await removedInstanceWithSettings();
    expect((await cron(app, `Bearer ${SECRET}`)).status).toBe(200);
    expect(await kit.database.instances.getInstance(id)).toMatchObject({ status: 'removed' });
    expect(await settingsOf(kit.database).getSettings(id)).toMatchObject({
      document: { greeting: 'Saved before removal' },
    });
  });

  it('purges a removed instance and its settings with DATA_RETENTION_DAYS=0', async () => {
    const app = kit.withEnv({ CRON_SECRET: SECRET, DATA_RETENTION_DAYS: '0' });
    // Clear whatever earlier tests left removed, so the count below is this test's alone.
    expect((await cron(app, `Bearer ${SECRET}`)).status).toBe(200);
    const { id } = await removedInstanceWithSettings();
    const stillInstalled = randomUUID();
    await deliver(await kit.signWebhook('AppInstalled', stillInstalled, { at: secondsAgo(60) }));

    const response = await cron(app, `Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ purged: 1 });
    expect(await kit.database.instances.getInstance(id)).toBeNull();
    expect(await settingsOf(kit.database).getSettings(id)).toBeNull();
    expect(await kit.database.instances.getInstance(stillInstalled)).toMatchObject({
      status: 'installed',
    });
    expect(await (await cron(app, `Bearer ${SECRET}`)).json()).toMatchObject({ purged: 0 });
  });

  it('keeps a purged instance’s deliveries, so a replayed removal is a duplicate', async () => {
    const app = kit.withEnv({ CRON_SECRET: SECRET, DATA_RETENTION_DAYS: '0' });
    const { id, removal } = await removedInstanceWithSettings();
    expect((await cron(app, `Bearer ${SECRET}`)).status).toBe(200);
    expect(await kit.database.instances.getInstance(id)).toBeNull();

    expect(await deliver(removal)).toBe('duplicate');
    expect((await kit.database.instances.getInstance(id))?.status ?? null).not.toBe('removed');
    expect(await settingsOf(kit.database).getSettings(id)).toBeNull();
  });
});
