/**
 * `wixWebhook` (src/routes/index.ts) fed deliveries Wix has signed but whose content is odd:
 * text PostgreSQL cannot store, nesting past any entity's, times no clock can hold, an operation
 * dated far ahead. Never a 5xx (Wix would redeliver it for two days): a 400 malformed_webhook
 * when the envelope itself is unusable, else a 200 that records the delivery and ignores it
 * (docs/decisions/033-odd-webhook-deliveries.md). Called through the fixture app's route with
 * real `Request`s; every delivery is signed with the kit's key, so the signature is never the
 * reason.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessEventData } from '../../src/dev/sign-webhook';
import { isStorableText } from '../../src/validation/storable-text';
import { createTestApp, expectProblem, TEST_APP_ID, type TestApp } from '../../src/testing';
import { fixtureApp, webhook } from '../fixtures/routes';

const ORDER_CREATED = 'wix.ecom.v1.order_created';
const handled: string[] = [];

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({
    app: fixtureApp,
    eventHandlers: {
      [ORDER_CREATED]: async (event) => {
        handled.push(event.instanceId);
      },
      AppInstalled: async (event) => {
        handled.push(event.instanceId);
      },
      PaidPlanPurchased: async (event) => {
        handled.push(event.instanceId);
      },
    },
  });
});
afterAll(() => kit?.close());

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A delivery signed with the kit's key whose envelope and claims are given as they are: `data`
 * as JSON text (so it can hold what `JSON.stringify` would never write) or an object.
 */
async function signRaw(
  envelope: { eventType: string; instanceId: string; data: string | Record<string, unknown> },
  claims: Record<string, unknown> = {},
): Promise<string> {
  const iat = nowSeconds() - 5;
  const inner = {
    ...envelope,
    data: typeof envelope.data === 'string' ? envelope.data : JSON.stringify(envelope.data),
    identity: JSON.stringify({ identityType: 'APP' }),
  };
  return new SignJWT({ data: JSON.stringify(inner), iat, exp: iat + 3600, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(kit.webhookKeys.privateKey);
}

const post = (body: string) => kit.call(webhook, '/api/webhooks/wix', { body });

async function outcomeOf(body: string) {
  const response = await post(body);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as { outcome: string; queued: boolean };
}

/** Business-event data as JSON text, with `field` set to the raw JSON `rawValue`. */
const orderWith = (field: string, rawValue: string) =>
  JSON.stringify({ ...businessEventData(ORDER_CREATED), [field]: '<raw>' }).replace(
    '"<raw>"',
    rawValue,
  );

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('POST /api/webhooks/wix with a signed envelope it cannot use', () => {
  const cases: Array<[string, () => Promise<string>]> = [
    [
      'a NUL in instanceId',
      () => signRaw({ eventType: 'AppInstalled', instanceId: 'site\u0000a', data: {} }),
    ],
    [
      'a lone surrogate in instanceId',
      () => signRaw({ eventType: 'AppInstalled', instanceId: 'site\ud800', data: {} }),
    ],
    [
      'a NUL in eventType',
      () => signRaw({ eventType: 'AppInst\u0000alled', instanceId: randomUUID(), data: {} }),
    ],
    [
      'exp of 1e15 (beyond any date)',
      () =>
        signRaw({ eventType: 'AppInstalled', instanceId: randomUUID(), data: {} }, { exp: 1e15 }),
    ],
    [
      'iat of -1e13 (before 1970)',
      () =>
        signRaw({ eventType: 'AppInstalled', instanceId: randomUUID(), data: {} }, { iat: -1e13 }),
    ],
  ];
  for (const [label, sign] of cases) {
    it(`answers 400 malformed_webhook to ${label}, recording nothing`, async () => {
      const body = await sign();
      await expectProblem(await post(body), 400, 'malformed_webhook');
      // Refused before the database: nothing names the site (when the database could say so).
      const { data } = JSON.parse(Buffer.from(body.split('.')[1]!, 'base64url').toString()) as {
        data: string;
      };
      const { instanceId } = JSON.parse(data) as { instanceId: string };
      if (isStorableText(instanceId)) {
        expect(await kit.database.instances.getInstance(instanceId)).toBeNull();
      }
    });
  }
});

describe('POST /api/webhooks/wix with a signed event holding what the database cannot keep', () => {
  const cases: Array<[string, string, string]> = [
    ['a NUL in the event id', ORDER_CREATED, orderWith('id', '"evt\\u00001"')],
    ['a NUL in a field of the order', ORDER_CREATED, orderWith('note', '"gift\\u0000wrap"')],
    ['a lone surrogate in the order', ORDER_CREATED, orderWith('note', '"half an emoji \\ud83d"')],
    [
      'a NUL in a key of the order',
      ORDER_CREATED,
      JSON.stringify({ ...businessEventData(ORDER_CREATED), 'x\u0000': 1 }),
    ],
    ['5,000 levels of nesting in the order', ORDER_CREATED, orderWith('deep', nested(5000))],
    ['20,000 levels of nesting in the order', ORDER_CREATED, orderWith('deep', nested(20_000))],
    [
      'a NUL in originInstanceId',
      'AppInstalled',
      JSON.stringify({ appId: TEST_APP_ID, originInstanceId: 'site\u0000b' }),
    ],
    [
      'a NUL in vendorProductId',
      'PaidPlanPurchased',
      JSON.stringify({
        vendorProductId: 'gold\u0000',
        cycle: 'MONTHLY',
        operationTimeStamp: new Date().toISOString(),
      }),
    ],
  ];
  for (const [label, eventType, data] of cases) {
    it(`answers 200 ignored to ${label}: recorded, not applied, not queued`, async () => {
      const instanceId = randomUUID();
      const body = await signRaw({ eventType, instanceId, data });
      expect(await outcomeOf(body)).toEqual(
        expect.objectContaining({ outcome: 'ignored', queued: false }),
      );
      // Recorded: a copy is a duplicate, and nothing about the site changed.
      expect(await outcomeOf(body)).toMatchObject({ outcome: 'duplicate', queued: false });
      expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({
        status: null,
        plan: null,
      });
      await kit.app.drainEvents();
      expect(handled).not.toContain(instanceId);
    });
  }

  it('still applies and queues the same kinds of events when their content is ordinary', async () => {
    const instanceId = randomUUID();
    const body = await signRaw({
      eventType: ORDER_CREATED,
      instanceId,
      data: orderWith('deep', nested(20)),
    });
    expect(await outcomeOf(body)).toMatchObject({ outcome: 'queued', queued: true });
    await kit.app.drainEvents();
    expect(handled).toContain(instanceId);
  });
});

describe('POST /api/webhooks/wix with an operation dated far ahead', () => {
  it('answers 200 to operationTimeStamp 1e20, taking the time the delivery was signed', async () => {
    const instanceId = randomUUID();
    const iat = nowSeconds() - 5;
    const body = await signRaw(
      {
        eventType: 'PaidPlanPurchased',
        instanceId,
        data: { vendorProductId: 'gold', cycle: 'MONTHLY', operationTimeStamp: 1e20 },
      },
      { iat },
    );
    expect(await outcomeOf(body)).toMatchObject({ outcome: 'applied' });
    expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({
      plan: 'gold',
      planAt: new Date((iat + 60) * 1000),
    });
  });

  it('lets a real AppInstalled after a removal dated 2099 reinstall the site', async () => {
    const instanceId = randomUUID();
    const removal = await signRaw(
      {
        eventType: 'AppRemoved',
        instanceId,
        data: { appId: TEST_APP_ID, operationTimeStamp: '2099-01-01T00:00:00.000Z' },
      },
      { iat: nowSeconds() - 600 },
    );
    expect(await outcomeOf(removal)).toMatchObject({ outcome: 'applied' });
    expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({
      status: 'removed',
    });

    const install = await kit.signWebhook('AppInstalled', instanceId, {
      at: new Date(Date.now() - 5_000),
    });
    expect(await outcomeOf(install)).toMatchObject({ outcome: 'applied' });
    expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({
      status: 'installed',
      removedAt: null,
    });
  });

  it('lets a later downgrade and a plan refresh replace a purchase dated 2099', async () => {
    const instanceId = randomUUID();
    const purchase = await signRaw(
      {
        eventType: 'PaidPlanPurchased',
        instanceId,
        data: {
          vendorProductId: 'gold',
          cycle: 'YEARLY',
          operationTimeStamp: '2099-01-01T00:00:00.000Z',
        },
      },
      { iat: nowSeconds() - 600 },
    );
    expect(await outcomeOf(purchase)).toMatchObject({ outcome: 'applied' });

    const downgrade = await kit.signWebhook('PaidPlanChanged', instanceId, {
      at: new Date(Date.now() - 300_000),
      plan: 'silver',
    });
    expect(await outcomeOf(downgrade)).toMatchObject({ outcome: 'applied' });
    expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({ plan: 'silver' });

    // What /api/plan/refresh records when Get App Instance reports the free plan.
    const refreshed = await kit.database.instances.recordPlan(
      instanceId,
      { plan: null, cycle: null, expiresAt: null, autoRenews: null },
      new Date(),
    );
    expect(refreshed).toMatchObject({ plan: null });
  });
});
