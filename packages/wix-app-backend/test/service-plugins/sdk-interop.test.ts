/**
 * The kit signs service-plugin calls in Wix's shape: `@wix/sdk`'s own processing
 * (`client.servicePlugins.processRequest`, with `AppStrategy`'s JWT check: RS256, iss `wix.com`,
 * aud the app id) accepts what `signServicePluginRequest` signs, routes it by
 * `metadata.appExtensionType` and the URL's end as our entry does, and answers a business error
 * with the same `applicationError` body. The plugin definitions below are minimal stand-ins for
 * `@wix/ecom`'s (same component type and path, identity transformations), so no ecom package is
 * needed; the real ones only add field renaming.
 */
import { randomUUID } from 'node:crypto';
import { AppStrategy, createClient } from '@wix/sdk';
import { describe, expect, it } from 'vitest';
import { signServicePluginRequest } from '../../src/dev/sign-service-plugin';
import { webhookKeyPair } from '../../src/testing/webhooks';
import { TEST_APP_ID } from '../../src/testing/test-credentials';

const keys = webhookKeyPair();

/** What an `@wix/ecom` service-plugin module is to `createClient`, reduced to one method. */
function definition(componentType: string, name: string, path: string) {
  const identity = (value: unknown) => value;
  return {
    __type: 'service-plugin-definition',
    componentType,
    methods: [
      {
        name,
        primaryHttpMappingPath: path,
        transformations: { fromREST: identity, toREST: identity },
      },
    ],
  };
}

function sdkClient(appId = TEST_APP_ID) {
  const fees = definition(
    'ECOM_ADDITIONAL_FEES',
    'calculateAdditionalFees',
    '/v1/calculate-additional-fees',
  );
  const rates = definition('ECOM_SHIPPING_RATES', 'getShippingRates', '/v1/getRates');
  const client = createClient({
    auth: AppStrategy({ appId, publicKey: keys.publicKeyPem }),
    modules: { fees, rates } as never,
  }) as unknown as {
    fees: (impl: object) => void;
    rates: (impl: object) => void;
    servicePlugins: { processRequest(request: Request): Promise<Response> };
  };
  const received: unknown[] = [];
  client.fees({
    calculateAdditionalFees: (payload: unknown) => {
      received.push(payload);
      return { currency: 'USD', additionalFees: [] };
    },
  });
  client.rates({
    getShippingRates: () => {
      throw Object.assign(new Error('no postal code'), {
        errorType: 'SPI',
        applicationCode: 'MISSING_POSTAL_CODE',
        httpCode: 400,
      });
    },
  });
  return { client, received };
}

const post = (path: string, body: string) =>
  new Request(`https://backend.example${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body,
  });

describe("@wix/sdk's service-plugin processing and the kit", () => {
  it('accepts a call the kit signs, and hands the handler its request and metadata', async () => {
    const { client, received } = sdkClient();
    const instanceId = randomUUID();
    const body = await signServicePluginRequest(
      {
        appId: TEST_APP_ID,
        appExtensionType: 'ECOM_ADDITIONAL_FEES',
        instanceId,
        request: { lineItems: [{ id: 'li-1', quantity: 1 }] },
        currency: 'EUR',
      },
      keys.privateKey,
    );
    const response = await client.servicePlugins.processRequest(
      post('/api/service-plugins/v1/calculate-additional-fees', body),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ currency: 'USD', additionalFees: [] });
    expect(received).toEqual([
      {
        request: { lineItems: [{ id: 'li-1', quantity: 1 }] },
        metadata: expect.objectContaining({
          instanceId,
          currency: 'EUR',
          appExtensionType: 'ECOM_ADDITIONAL_FEES',
        }),
      },
    ]);
  });

  it('answers a business error with the applicationError body our entry sends', async () => {
    const { client } = sdkClient();
    const body = await signServicePluginRequest(
      {
        appId: TEST_APP_ID,
        appExtensionType: 'ECOM_SHIPPING_RATES',
        instanceId: randomUUID(),
        request: {},
      },
      keys.privateKey,
    );
    const response = await client.servicePlugins.processRequest(post('/x/v1/getRates', body));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ applicationError: { code: 'MISSING_POSTAL_CODE' } });
  });

  it('refuses, as we do, a call the kit signed for another app', async () => {
    const { client } = sdkClient('another-app-id');
    const body = await signServicePluginRequest(
      {
        appId: TEST_APP_ID,
        appExtensionType: 'ECOM_ADDITIONAL_FEES',
        instanceId: randomUUID(),
        request: {},
      },
      keys.privateKey,
    );
    await expect(
      client.servicePlugins.processRequest(post('/v1/calculate-additional-fees', body)),
    ).rejects.toThrow();
  });
});
