/**
 * POST /api/dev/webhook: in development, signs a sample delivery for a sample site with the local
 * key pair `npm run dev` hands the app (WIX_DEV_WEBHOOK_SIGNING_KEY, and its public half as
 * WIX_APP_PUBLIC_KEY), handles it like the webhook route and runs the queue at once. Here the
 * test kit's pair stands in for the local one. 404 anywhere else.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '@/app/(demo)/api/dev/webhook/route';
import { GET as getOrders } from '@/app/api/examples/orders/route';
import { GET as premium } from '@/app/api/examples/premium/route';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

const SITE_A = DEV_SAMPLE_SITES.a.instanceId;
const SITE_B = DEV_SAMPLE_SITES.b.instanceId;

let kit: TestApp;
/** `npm run dev` on the development credentials, with the signing key it provides. */
let dev: TestApp;
let signingKeyPem: string;
beforeAll(async () => {
  kit = await createTestApp();
  signingKeyPem = kit.webhookKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  dev = kit.withEnv({
    WIX_APP_ID: '',
    WIX_APP_SECRET: '',
    NODE_ENV: 'development',
    WIX_DEV_WEBHOOK_SIGNING_KEY: signingKeyPem,
    WIX_APP_PUBLIC_KEY: kit.webhookKeys.publicKeyPem,
  });
});
afterAll(() => kit.close());

interface Sent {
  type: string;
  instanceId: string;
  outcome: string;
  queued: boolean;
  handler: string | null;
  drained: { done: number; failed: number } | null;
  eventId: string | null;
}

async function send(query: string, app: TestApp = dev): Promise<Sent> {
  const response = await app.call(POST, `/api/dev/webhook?${query}`, { method: 'POST' });
  expect(response.status).toBe(200);
  return (await response.json()) as Sent;
}

/** The sample site's instance, as the demo page has it (signed with the development secret). */
const sampleInstance = (instanceId: string) =>
  dev.signInstance({ instanceId, secret: DEV_APP_SECRET, appDefId: DEV_APP_ID });

async function ordersSeen(instanceId: string) {
  const response = await dev.call(getOrders, '/api/examples/orders', {
    auth: await sampleInstance(instanceId),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { ordersSeen: number }).ordersSeen;
}

describe('POST /api/dev/webhook in development, with the signing key', () => {
  it('sends PaidPlanPurchased for sample site A, and premium lets the site in', async () => {
    const before = await dev.call(premium, '/api/examples/premium', {
      auth: await sampleInstance(SITE_A),
    });
    await expectProblem(before, 403, 'plan_required');

    expect(await send('site=a&type=PaidPlanPurchased&plan=gold')).toEqual({
      type: 'PaidPlanPurchased',
      instanceId: SITE_A,
      outcome: 'applied',
      queued: false,
      handler: null,
      drained: null,
      eventId: null,
    });
    const after = await dev.call(premium, '/api/examples/premium', {
      auth: await sampleInstance(SITE_A),
    });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ premium: true, plan: { id: 'gold', paid: true } });
  });

  it('sends order_created, runs its handler at once and says so, and counts a redelivery of its event id once', async () => {
    const before = await ordersSeen(SITE_A);
    const first = await send('site=a&type=wix.ecom.v1.order_created');
    expect(first).toEqual({
      type: 'wix.ecom.v1.order_created',
      instanceId: SITE_A,
      outcome: 'handled',
      queued: true,
      handler: 'ran',
      drained: { done: 1, failed: 0 },
      eventId: expect.any(String),
    });
    expect(await ordersSeen(SITE_A)).toBe(before + 1);

    const again = await send(`site=a&type=wix.ecom.v1.order_created&eventId=${first.eventId}`);
    expect(again).toMatchObject({
      outcome: 'duplicate',
      queued: false,
      handler: null,
      drained: null,
      eventId: first.eventId,
    });
    expect(await ordersSeen(SITE_A)).toBe(before + 1);

    expect(await send('site=a&type=wix.ecom.v1.order_created')).toMatchObject({ queued: true });
    expect(await ordersSeen(SITE_A)).toBe(before + 2);
  });

  it('keeps the sample sites apart', async () => {
    const siteB = await ordersSeen(SITE_B);
    await send('site=a&type=wix.ecom.v1.order_created');
    expect(await ordersSeen(SITE_B)).toBe(siteB);
    expect(await send('site=b&type=wix.ecom.v1.order_created')).toMatchObject({
      instanceId: SITE_B,
      queued: true,
    });
    expect(await ordersSeen(SITE_B)).toBe(siteB + 1);
  });

  it.each([
    ['an unknown site', 'site=c&type=AppInstalled'],
    ['no site', 'type=AppInstalled'],
    ['a type the demo does not send', 'site=a&type=SomethingElse'],
    ['no type', 'site=a'],
  ])('answers 400 invalid_request for %s', async (_label, query) => {
    const response = await dev.call(POST, `/api/dev/webhook?${query}`, { method: 'POST' });
    await expectProblem(response, 400, 'invalid_request');
  });
});

describe('POST /api/dev/webhook anywhere else', () => {
  const realCredentials = {
    WIX_APP_ID: randomUUID(),
    WIX_APP_SECRET: 'a-real-secret-0123456789abcdef',
  };
  const cases: [string, Record<string, string>, boolean][] = [
    // The configuration drops the key in production, whatever is set.
    ['in production, with the key set', { ...realCredentials, NODE_ENV: 'production' }, false],
    ['in development with real credentials (no development tools)', realCredentials, true],
    [
      'on the development credentials without the signing key',
      { WIX_DEV_WEBHOOK_SIGNING_KEY: '' },
      false,
    ],
  ];

  it.each(cases)('answers 404 not_found %s, sending nothing', async (_label, env, keyKept) => {
    const app = dev.withEnv(env);
    expect(app.config.devWebhookSigningKey !== null).toBe(keyKept);
    const before = await ordersSeen(SITE_A);
    const response = await app.call(
      POST,
      '/api/dev/webhook?site=a&type=wix.ecom.v1.order_created',
      {
        method: 'POST',
      },
    );
    await expectProblem(response, 404, 'not_found');
    expect(await ordersSeen(SITE_A)).toBe(before);
  });
});
