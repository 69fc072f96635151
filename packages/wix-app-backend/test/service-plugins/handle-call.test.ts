/**
 * The service-plugin entry (`servicePluginCall`, src/service-plugins/handle-call.ts) served as
 * an app's catch-all route serves it: signed calls reach the registered handler and get Wix's
 * shapes; anything unsigned, expired, another app's or oversized reaches no handler; an
 * unregistered plugin or method is a 404; a late handler still gets the plugin's safe answer in
 * time; a handler's malformed answer is a 500, never sent.
 */
import { randomUUID, sign } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDelivery } from '../../src/testing/webhooks';
import { createTestApp, expectProblem, TEST_APP_ID, type TestApp } from '../../src/testing';
import { servicePluginRequest } from '../../src/testing/service-plugins';
import { createServicePluginRegistry } from '../../src/service-plugins/registry';
import { additionalFees } from '../../src/service-plugins';
import { MAX_SERVICE_PLUGIN_BODY_BYTES } from '../../src/routes';
import {
  FIXTURE_DEADLINE_MS,
  seen,
  servicePluginsApp,
  servicePluginsRoute,
  SERVICE_PLUGINS_PATH,
} from '../fixtures/service-plugins';

const FEES = `${SERVICE_PLUGINS_PATH}/v1/calculate-additional-fees`;
const RATES = `${SERVICE_PLUGINS_PATH}/v1/getRates`;
const VIOLATIONS = `${SERVICE_PLUGINS_PATH}/v1/get-violations`;

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ app: servicePluginsApp });
});
afterAll(() => kit?.close());
beforeEach(() => {
  seen.feeCalls = 0;
  seen.instanceIds = [];
});

const call = (path: string, body: string) => kit.callServicePlugin(servicePluginsRoute, path, body);
const feesCall = (options = {}) =>
  kit.signServicePluginCall('ECOM_ADDITIONAL_FEES', { lineItems: [] }, options);

describe('signed calls reach their handler', () => {
  it("answers Additional Fees with the handler's fees in the site's currency", async () => {
    const instanceId = randomUUID();
    const response = await call(FEES, await feesCall({ instanceId, currency: 'EUR' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      currency: 'EUR',
      additionalFees: [{ code: 'handling', name: 'Handling', price: '2.50' }],
    });
    // The tenant is the verified site's; its row exists before the handler runs.
    expect(seen.instanceIds).toEqual([instanceId]);
    expect(await kit.database.instances.getInstance(instanceId)).not.toBeNull();
  });

  it("hands the handler the site's plan from the app-instance events", async () => {
    const instanceId = randomUUID();
    const webhook = await signDelivery(kit.webhookKeys, 'PaidPlanPurchased', instanceId);
    const { handleWixWebhook } = await import('../../src/app/webhooks');
    await handleWixWebhook(kit.app, webhook);
    const response = await call(FEES, await feesCall({ instanceId }));
    expect(await response.json()).toEqual({ currency: 'USD', additionalFees: [] });
  });

  it('routes by the path suffix, whatever the deploymentUri before it', async () => {
    const body = await feesCall();
    const nested = `${SERVICE_PLUGINS_PATH}/ecom/fees/v1/calculate-additional-fees`;
    expect((await call(nested, body)).status).toBe(200);
  });

  it('answers a business error as applicationError with its status', async () => {
    const body = await kit.signServicePluginCall('ECOM_SHIPPING_RATES', {
      shippingDestination: { country: 'US', city: 'Nowhere' },
    });
    const response = await call(RATES, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ applicationError: { code: 'MISSING_POSTAL_CODE' } });
  });

  it('answers shipping rates in REST names', async () => {
    const body = await kit.signServicePluginCall('ECOM_SHIPPING_RATES', {
      shippingDestination: { country: 'US', postalCode: '10001', addressLine: '1 Main St' },
    });
    const response = await call(RATES, body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      shippingRates: [{ code: 'flat', cost: { price: '5.00', currency: 'USD' } }],
    });
  });
});

describe('refused before any handler', () => {
  const refusedWith = async (body: string, status: number, code: string) => {
    await expectProblem(await call(FEES, body), status, code);
    expect(seen.feeCalls).toBe(0);
  };

  it('refuses a call signed by another key', async () => {
    const { webhookKeyPair } = await import('../../src/testing/webhooks');
    const { signServicePluginCall } = await import('../../src/testing/service-plugins');
    const forged = await signServicePluginCall(webhookKeyPair(), 'ECOM_ADDITIONAL_FEES', {});
    await refusedWith(forged, 401, 'invalid_service_plugin_signature');
  });

  it('refuses an expired call', async () => {
    const old = await feesCall({ issuedAt: new Date(Date.now() - 3_600_000) });
    await refusedWith(old, 401, 'expired_service_plugin_call');
  });

  it("refuses a call for another app's aud", async () => {
    await refusedWith(await feesCall({ audience: 'another-app' }), 401, 'wrong_app');
  });

  it('refuses alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = new UnsecuredJWT({
      data: {
        request: {},
        metadata: { instanceId: randomUUID(), appExtensionType: 'ECOM_ADDITIONAL_FEES' },
      },
    })
      .setIssuer('wix.com')
      .setAudience(TEST_APP_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .encode();
    await refusedWith(body, 401, 'invalid_service_plugin_signature');
  });

  it('refuses HS256 keyed with the public key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = await new SignJWT({
      data: {
        request: {},
        metadata: { instanceId: randomUUID(), appExtensionType: 'ECOM_ADDITIONAL_FEES' },
      },
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('wix.com')
      .setAudience(TEST_APP_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(kit.webhookKeys.publicKeyPem));
    await refusedWith(body, 401, 'invalid_service_plugin_signature');
  });

  it('refuses a body over the cap, by its declared length, before reading it', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull() {
          pulls++;
          return new Promise<void>(() => {});
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request(`http://localhost:3000${FEES}`, {
      method: 'POST',
      headers: { 'content-length': String(MAX_SERVICE_PLUGIN_BODY_BYTES + 1) },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(
      await servicePluginsRoute.withContext(kit.app)(request),
      413,
      'payload_too_large',
    );
    expect(pulls).toBe(0);
  });

  it('refuses a body over the cap that did not declare its length', async () => {
    const huge = 'a'.repeat(MAX_SERVICE_PLUGIN_BODY_BYTES + 10);
    const request = new Request(`http://localhost:3000${FEES}`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    await expectProblem(
      await servicePluginsRoute.withContext(kit.app)(request),
      413,
      'payload_too_large',
    );
  });

  it('refuses a body that is not a JWT', async () => {
    await refusedWith('{"request":{}}', 400, 'malformed_service_plugin_call');
  });

  it('answers 503 webhooks_not_configured without a public key, reading nothing', async () => {
    const unkeyed = kit.withEnv({ WIX_APP_PUBLIC_KEY: undefined });
    const response = await servicePluginsRoute.withContext(unkeyed.app)(
      servicePluginRequest(`http://localhost:3000${FEES}`, await feesCall()),
    );
    await expectProblem(response, 503, 'webhooks_not_configured');
  });
});

describe('routing', () => {
  it('answers 404 service_plugin_not_found for a plugin the app did not register', async () => {
    const body = await kit.signServicePluginCall('ECOM_PAYMENT_SETTINGS', {});
    await expectProblem(
      await call(`${SERVICE_PLUGINS_PATH}/v1/get-payment-settings`, body),
      404,
      'service_plugin_not_found',
    );
  });

  it('answers 404 service_plugin_not_found for a path none of the plugin methods ends', async () => {
    await expectProblem(
      await call(`${SERVICE_PLUGINS_PATH}/v1/getRates`, await feesCall()),
      404,
      'service_plugin_not_found',
    );
  });

  it('answers 404 for a method of the plugin the app has no handler for', async () => {
    const body = await kit.signServicePluginCall('GIFT_CARDS_PROVIDER', {
      code: 'X',
      amount: '1',
    });
    await expectProblem(
      await call(`${SERVICE_PLUGINS_PATH}/v1/redeem`, body),
      404,
      'service_plugin_not_found',
    );
  });

  it("answers 400 invalid_service_plugin_request for a request that fails the method's schema", async () => {
    const body = await kit.signServicePluginCall('GIFT_CARDS_PROVIDER', { code: 42 });
    await expectProblem(
      await call(`${SERVICE_PLUGINS_PATH}/v1/balance`, body),
      400,
      'invalid_service_plugin_request',
    );
  });

  it('matches the plugin type case-insensitively, as @wix/sdk does', async () => {
    const body = await kit.signServicePluginCall('ecom_additional_fees', { lineItems: [] });
    expect((await call(FEES, body)).status).toBe(200);
  });

  it('treats every path under /api/service-plugins as server-to-server, and nothing else', () => {
    expect(kit.app.accessOf(`${SERVICE_PLUGINS_PATH}/v1/getRates`)).toBe('server');
    expect(kit.app.accessOf(SERVICE_PLUGINS_PATH)).toBe('instance');
    expect(kit.app.accessOf(`${SERVICE_PLUGINS_PATH}x/v1/getRates`)).toBe('instance');
  });

  it('refuses to register one plugin twice', () => {
    const fees = additionalFees({
      calculateAdditionalFees: () => ({ currency: 'USD', additionalFees: [] }),
    });
    expect(() => createServicePluginRegistry([fees, fees])).toThrow(/registered twice/);
  });
});

describe('answers in time, and only in shape', () => {
  it("answers a late validation with the plugin's safe answer (none) by the deadline", async () => {
    const body = await kit.signServicePluginCall('ECOM_VALIDATIONS', { sleepMs: 10_000 });
    const started = performance.now();
    const response = await call(VIOLATIONS, body);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ violations: [] });
    // Not a timing assertion of speed: the answer came at the deadline, not after the sleep.
    expect(elapsed).toBeLessThan(5_000);
  });

  it("answers by the deadline when the database never hands over the site's record", async () => {
    // A pool exhausted or failing over: the call must not wait for it past Wix's limit.
    const stalled = { ...kit.app, database: () => new Promise<never>(() => {}) };
    const body = await kit.signServicePluginCall('ECOM_VALIDATIONS', { sleepMs: 0 });
    const response = await servicePluginsRoute.withContext(stalled)(
      servicePluginRequest(`http://localhost:3000${VIOLATIONS}`, body),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ violations: [] });
  });

  it('answers Discount Triggers in time, and a late getEligibleTriggers with none met', async () => {
    const ELIGIBLE = `${SERVICE_PLUGINS_PATH}/v1/get-eligible-triggers`;
    const bigCart = {
      lineItems: [{ id: 'line-1', quantity: 5, price: '2.00' }],
      triggers: [{ customTrigger: { id: 'big-cart' }, identifier: 'rule-1' }],
    };
    const inTime = await call(
      ELIGIBLE,
      await kit.signServicePluginCall('ECOM_DISCOUNTS_TRIGGER', bigCart),
    );
    expect(await inTime.json()).toEqual({
      eligibleTriggers: [{ customTriggerId: 'big-cart', identifier: 'rule-1' }],
    });
    const late = await call(
      ELIGIBLE,
      await kit.signServicePluginCall('ECOM_DISCOUNTS_TRIGGER', { ...bigCart, sleepMs: 10_000 }),
    );
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ eligibleTriggers: [] });
    const listed = await call(
      `${SERVICE_PLUGINS_PATH}/v1/list-triggers`,
      await kit.signServicePluginCall('ECOM_DISCOUNTS_TRIGGER', {}),
    );
    expect(await listed.json()).toEqual({
      customTriggers: [{ id: 'big-cart', name: '5 items or more' }],
    });
  });

  it('answers a late handler of a plugin without a safe answer with 504 service_plugin_timeout', async () => {
    const body = await kit.signServicePluginCall('TAX_CALCULATION_PROVIDER', {
      sleepMs: FIXTURE_DEADLINE_MS * 3,
    });
    await expectProblem(
      await call(`${SERVICE_PLUGINS_PATH}/v1/calculate-tax`, body),
      504,
      'service_plugin_timeout',
    );
  });

  it('answers a handler in time normally, under the same deadline', async () => {
    const body = await kit.signServicePluginCall('TAX_CALCULATION_PROVIDER', { sleepMs: 0 });
    const response = await call(`${SERVICE_PLUGINS_PATH}/v1/calculate-tax`, body);
    expect(response.status).toBe(200);
  });

  it('answers 500 instead of sending an answer that fails the method schema', async () => {
    const body = await kit.signServicePluginCall('GIFT_CARDS_PROVIDER', { code: 'CARD-1' });
    await expectProblem(
      await call(`${SERVICE_PLUGINS_PATH}/v1/balance`, body),
      500,
      'internal_error',
    );
  });
});

describe('validly signed calls of odd shapes', () => {
  /** Signs `data` as Wix signs a call's claim, whatever its shape. */
  const signData = (data: unknown) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ data } as Record<string, unknown>)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer('wix.com')
      .setAudience(TEST_APP_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(kit.webhookKeys.privateKey);
  };
  const metadata = (more: Record<string, unknown> = {}) => ({
    requestId: randomUUID(),
    instanceId: randomUUID(),
    currency: 'EUR',
    languages: ['en'],
    appExtensionType: 'ECOM_ADDITIONAL_FEES',
    identity: { identityType: 'ANONYMOUS_VISITOR', anonymousVisitorId: randomUUID() },
    ...more,
  });

  it.each(['eur', 'EURO', 'US$', 'E\u0000R'])(
    'refuses a site currency %j that is not an ISO 4217 code as malformed, not a 500 from the answer check',
    async (currency) => {
      // The fees answer is in metadata.currency (Wix drops fees in any other): a currency the
      // answer schema refuses made every fees call a 500, and its deadline answer too.
      const body = await signData({ request: {}, metadata: metadata({ currency }) });
      await expectProblem(await call(FEES, body), 400, 'malformed_service_plugin_call');
      expect(seen.feeCalls).toBe(0);
    },
  );

  it.each([null, ''])(
    'answers a call whose currency is %j as one without: in USD',
    async (currency) => {
      const body = await signData({ request: {}, metadata: metadata({ currency }) });
      const response = await call(FEES, body);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ currency: 'USD' });
    },
  );

  it.each<[string, () => unknown]>([
    ['data a number', () => 42],
    ['data null', () => null],
    ['data a JSON string that is not JSON', () => '{not json'],
    ['data an array', () => [{ request: {}, metadata: metadata() }]],
    ['no metadata', () => ({ request: {} })],
    ['metadata null', () => ({ request: {}, metadata: null })],
    ['request an array', () => ({ request: [1, 2], metadata: metadata() })],
    ['request a string', () => ({ request: 'lineItems', metadata: metadata() })],
    ['no instanceId', () => ({ request: {}, metadata: metadata({ instanceId: undefined }) })],
    [
      'a NUL in the instanceId',
      () => ({ request: {}, metadata: metadata({ instanceId: 'a\u0000' }) }),
    ],
    [
      'a lone surrogate in the instanceId',
      () => ({ request: {}, metadata: metadata({ instanceId: '\ud800' }) }),
    ],
    [
      'an appExtensionType of 129 characters',
      () => ({ request: {}, metadata: metadata({ appExtensionType: 'A'.repeat(129) }) }),
    ],
    ['languages of nulls', () => ({ request: {}, metadata: metadata({ languages: [null] }) })],
  ])('refuses %s as a malformed call (400), reaching no handler', async (_label, data) => {
    const response = await call(FEES, await signData(data()));
    await expectProblem(response, 400, 'malformed_service_plugin_call');
    expect(seen.feeCalls).toBe(0);
  });

  it('reads __proto__ and constructor keys as plain data, and a field nested 80,000 deep as sent', async () => {
    // Signed by hand: jose's JSON.stringify cannot nest this deep, but a body under the cap can.
    const depth = 80_000;
    const claims = `{"iss":"wix.com","aud":"${TEST_APP_ID}","iat":${Math.floor(Date.now() / 1000)},"exp":${Math.floor(Date.now() / 1000) + 60},"data":{"request":{"__proto__":{"lineItems":"x"},"constructor":{"prototype":{"polluted":1}},"lineItems":[],"deep":${'['.repeat(depth)}${']'.repeat(depth)}},"metadata":${JSON.stringify(metadata())}}}`;
    const signingInput = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(claims).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(signingInput), kit.webhookKeys.privateKey);
    const body = `${signingInput}.${signature.toString('base64url')}`;
    expect(body.length).toBeLessThan(MAX_SERVICE_PLUGIN_BODY_BYTES);
    const response = await call(FEES, body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ currency: 'EUR' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('routes a path with a trailing slash, a doubled slash or a long prefix; 404 for a lookalike', async () => {
    const body = await signData({ request: {}, metadata: metadata() });
    for (const path of [
      `${FEES}/`,
      `${FEES}//`,
      `${SERVICE_PLUGINS_PATH}//v1/calculate-additional-fees`,
      `${SERVICE_PLUGINS_PATH}/${'a/'.repeat(2_000)}v1/calculate-additional-fees`,
    ])
      expect((await call(path, body)).status, path.slice(0, 80)).toBe(200);
    for (const path of [
      `${FEES}x`,
      `${SERVICE_PLUGINS_PATH}/v1/calculate-additional-fees%2F`,
      `${SERVICE_PLUGINS_PATH}/v1%2Fcalculate-additional-fees`,
    ])
      await expectProblem(await call(path, body), 404, 'service_plugin_not_found');
  });
});
