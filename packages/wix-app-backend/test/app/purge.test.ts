/**
 * `purgeExpiredInstances` (src/app/purge.ts) forgets the records of webhook deliveries whose JWT
 * expired more than DATA_RETENTION_DAYS ago. A record guards against a replay of its delivery;
 * once it is gone, only the JWT's `exp` does, through the webhook route. PGlite only: with
 * DATA_RETENTION_DAYS=0 the purge reaches every record in the database.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredInstances } from '../../src/app/purge';
import { webhookEvents } from '../../src/db/schema';
import { WEBHOOK_CLOCK_LEEWAY_SECONDS } from '../../src/webhooks/verify-webhook';
import { wholeSeconds } from '../../src/testing/webhooks';
import { createTestApp, expectProblem, type TestApp } from '../../src/testing';
import { fixtureApp, webhook } from '../fixtures/routes';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The clock of every app in this file. */
let now = Date.now();
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ app: fixtureApp, now: () => now });
});
afterAll(() => kit.close());

const withRetention = (days: string) => kit.withEnv({ DATA_RETENTION_DAYS: days }).app;

/** Forgets every delivery record earlier tests left, so counts below are the test's own. */
const forgetEarlierTests = () =>
  purgeExpiredInstances(
    kit.withEnv({ DATA_RETENTION_DAYS: '0' }, { now: () => Date.now() + 365 * DAY }).app,
  );

async function post(app: TestApp, body: string): Promise<Response> {
  return app.call(webhook, '/api/webhooks/wix', { body });
}

async function outcomeOf(app: TestApp, body: string): Promise<string> {
  const response = await post(app, body);
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

/** The delivery records naming `instanceId`, with their expiry. */
const recordsOf = (instanceId: string) =>
  kit.database.db
    .select({ expiresAt: webhookEvents.expiresAt })
    .from(webhookEvents)
    .where(eq(webhookEvents.instanceId, instanceId));

/** A fresh instance installed now through a delivery valid for `lifetimeSeconds`. */
async function installedNow(lifetimeSeconds: number) {
  const instanceId = randomUUID();
  const at = wholeSeconds(new Date(now));
  const body = await kit.signWebhook('AppInstalled', instanceId, {
    at,
    expiresInSeconds: lifetimeSeconds,
  });
  expect(await outcomeOf(kit, body)).toBe('applied');
  return { instanceId, body, expiresAt: new Date(at.getTime() + lifetimeSeconds * 1000) };
}

describe('purgeExpiredInstances: delivery records', () => {
  it('keeps the JWT’s exp with the record of a delivery', async () => {
    now = Date.now();
    const delivery = await installedNow(3600);
    expect(await recordsOf(delivery.instanceId)).toEqual([{ expiresAt: delivery.expiresAt }]);
  });

  it('forgets records whose JWT expired before the cut-off and keeps those still valid', async () => {
    now = Date.now();
    await forgetEarlierTests();
    const shortLived = await installedNow(3600);
    const longLived = await installedNow(10 * 3600);

    now += 2 * HOUR;
    const result = await purgeExpiredInstances(withRetention('0'));
    expect(result).toEqual({
      purged: 0,
      removedBefore: new Date(now).toISOString(),
      deliveriesForgotten: 1,
    });
    expect(await recordsOf(shortLived.instanceId)).toEqual([]);
    expect(await recordsOf(longLived.instanceId)).toHaveLength(1);
    // The instance itself is not touched: only the record of how Wix reported it.
    expect(await kit.database.instances.getInstance(shortLived.instanceId)).toMatchObject({
      status: 'installed',
    });
  });

  it('refuses a replay of a forgotten delivery as 401 expired_webhook, and calls a kept one a duplicate', async () => {
    now = Date.now();
    const shortLived = await installedNow(3600);
    const longLived = await installedNow(10 * 3600);
    now += 2 * HOUR;
    await purgeExpiredInstances(withRetention('0'));

    await expectProblem(await post(kit, shortLived.body), 401, 'expired_webhook');
    expect(await recordsOf(shortLived.instanceId)).toEqual([]);
    expect(await outcomeOf(kit, longLived.body)).toBe('duplicate');
  });

  it('keeps records for DATA_RETENTION_DAYS after their JWT expired (30 by default)', async () => {
    await forgetEarlierTests();
    now = Date.now();
    const delivery = await installedNow(3600);
    now += 29 * DAY;
    expect(await purgeExpiredInstances(withRetention(''))).toMatchObject({
      deliveriesForgotten: 0,
    });
    expect(await recordsOf(delivery.instanceId)).toHaveLength(1);
    now += 2 * DAY;
    expect(await purgeExpiredInstances(withRetention(''))).toMatchObject({
      deliveriesForgotten: 1,
    });
    expect(await recordsOf(delivery.instanceId)).toEqual([]);
  });

  it('keeps a record while the webhook route would still accept its JWT (exp’s clock leeway)', async () => {
    await forgetEarlierTests();
    now = Date.now();
    const delivery = await installedNow(3600);
    // Expired by our clock, but within the leeway the verifier grants a sender's clock.
    now = delivery.expiresAt.getTime() + (WEBHOOK_CLOCK_LEEWAY_SECONDS / 2) * 1000;
    await purgeExpiredInstances(withRetention('0'));
    expect(await outcomeOf(kit, delivery.body)).toBe('duplicate');

    now = delivery.expiresAt.getTime() + (WEBHOOK_CLOCK_LEEWAY_SECONDS + 1) * 1000;
    expect(await purgeExpiredInstances(withRetention('0'))).toMatchObject({
      deliveriesForgotten: 1,
    });
    await expectProblem(await post(kit, delivery.body), 401, 'expired_webhook');
  });

  it('does not let a replay within exp’s leeway bring back an instance it purged', async () => {
    await forgetEarlierTests();
    now = Date.now();
    const delivery = await installedNow(3600);
    const removal = await kit.signWebhook('AppRemoved', delivery.instanceId, {
      at: wholeSeconds(new Date(now)),
      expiresInSeconds: 3600,
    });
    expect(await outcomeOf(kit, removal)).toBe('applied');

    now = delivery.expiresAt.getTime() + (WEBHOOK_CLOCK_LEEWAY_SECONDS / 2) * 1000;
    expect(await purgeExpiredInstances(withRetention('0'))).toMatchObject({ purged: 1 });
    expect(await kit.database.instances.getInstance(delivery.instanceId)).toBeNull();

    expect(await outcomeOf(kit, delivery.body)).toBe('duplicate');
    expect(await kit.database.instances.getInstance(delivery.instanceId)).toBeNull();
  });
});
