/**
 * The worked examples, called as Wix calls them: signed calls to the app's one service-plugin
 * route (app/api/service-plugins/[...path]/route.ts) at each method's path, answered from the
 * site's checkout settings in Wix's shapes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from 'wix-app-backend/db/tenant';
import { POST } from '@/app/api/service-plugins/[...path]/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { DEFAULT_CHECKOUT_SETTINGS } from '@/lib/settings/checkout-settings';
import { DEFAULT_SETTINGS } from '@/lib/settings/settings-schema';
import { writeSettings } from '@/lib/settings/settings-service';
import {
  sampleFeesRequest,
  sampleShippingRatesRequest,
  sampleValidationsRequest,
} from 'wix-app-backend/dev/service-plugin-samples';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

const FEES = '/api/service-plugins/v1/calculate-additional-fees';
const RATES = '/api/service-plugins/v1/getRates';
const VIOLATIONS = '/api/service-plugins/v1/get-violations';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit?.close());

async function tenantOf(instanceId: string): Promise<Tenant> {
  await kit.database.instances.recordSeen(instanceId, Date.now());
  return {
    instanceId,
    db: kit.database.db,
    engine: kit.database.engine,
    onInstanceChanged: kit.database.onInstanceChanged,
  };
}

/** A site whose owner saved these checkout settings. */
async function siteWith(checkout: Partial<typeof DEFAULT_CHECKOUT_SETTINGS>): Promise<string> {
  const instanceId = randomUUID();
  await writeSettings(
    await tenantOf(instanceId),
    0,
    { ...DEFAULT_SETTINGS, checkout: { ...DEFAULT_CHECKOUT_SETTINGS, ...checkout } },
    { at: new Date(), by: null },
  );
  return instanceId;
}

async function callAs(
  instanceId: string,
  type: string,
  path: string,
  request: Record<string, unknown>,
  currency = 'EUR',
) {
  const body = await kit.signServicePluginCall(type, request, { instanceId, currency });
  return kit.callServicePlugin(POST, path, body);
}

describe('Additional Fees: the handling fee', () => {
  it("charges the site's handling fee in the site's currency", async () => {
    const instanceId = await siteWith({ handlingFee: '3.75' });
    const response = await callAs(instanceId, 'ECOM_ADDITIONAL_FEES', FEES, sampleFeesRequest());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      currency: 'EUR',
      additionalFees: [{ code: 'handling-fee', name: 'Handling', price: '3.75' }],
    });
  });

  it('charges the default fee on a site that saved no settings', async () => {
    const response = await callAs(randomUUID(), 'ECOM_ADDITIONAL_FEES', FEES, {});
    expect(await response.json()).toMatchObject({
      additionalFees: [{ price: DEFAULT_CHECKOUT_SETTINGS.handlingFee }],
    });
  });

  it('waives the fee on a paid plan when the owner chose so', async () => {
    const instanceId = await siteWith({ waiveFeeOnPaidPlan: true });
    const purchase = await kit.signWebhook('PaidPlanPurchased', instanceId);
    expect((await kit.call(webhook, '/api/webhooks/wix', { body: purchase })).status).toBe(200);
    const response = await callAs(instanceId, 'ECOM_ADDITIONAL_FEES', FEES, {});
    expect(await response.json()).toEqual({ currency: 'EUR', additionalFees: [] });
  });

  it('charges no fee when the owner set none', async () => {
    const instanceId = await siteWith({ handlingFee: null });
    const response = await callAs(instanceId, 'ECOM_ADDITIONAL_FEES', FEES, {});
    expect(await response.json()).toEqual({ currency: 'EUR', additionalFees: [] });
  });
});

describe("Shipping Rates: the site's rate table", () => {
  it('offers each rate in the site currency', async () => {
    const instanceId = await siteWith({
      shippingRates: [{ code: 'post', title: 'Post', price: '4.20', deliveryTime: '2 days' }],
    });
    const response = await callAs(
      instanceId,
      'ECOM_SHIPPING_RATES',
      RATES,
      sampleShippingRatesRequest({ destination: { country: 'DE', postalCode: '10115' } }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      shippingRates: [
        {
          code: 'post',
          title: 'Post',
          logistics: { deliveryTime: '2 days' },
          cost: { price: '4.20', currency: 'EUR', additionalCharges: [] },
        },
      ],
    });
  });

  it('answers 400 MISSING_POSTAL_CODE for a destination without a postal code', async () => {
    for (const postalCode of [null, '', '  ']) {
      const response = await callAs(
        randomUUID(),
        'ECOM_SHIPPING_RATES',
        RATES,
        sampleShippingRatesRequest({ destination: { country: 'DE', postalCode } }),
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ applicationError: { code: 'MISSING_POSTAL_CODE' } });
    }
  });

  it('answers 400 MISSING_POSTAL_CODE before the buyer gave any destination', async () => {
    const { shippingDestination: _none, ...request } = sampleShippingRatesRequest();
    const response = await callAs(randomUUID(), 'ECOM_SHIPPING_RATES', RATES, request);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ applicationError: { code: 'MISSING_POSTAL_CODE' } });
  });
});

describe('Validations: the maximum quantity per line item', () => {
  const cart = (source: 'CART' | 'CHECKOUT') =>
    sampleValidationsRequest({
      source,
      lines: [
        { id: 'li-ok', quantity: 2 },
        { id: 'li-many', quantity: 7 },
      ],
    });

  it('blocks checkout on a line over the maximum', async () => {
    const instanceId = await siteWith({ maxQuantityPerLineItem: 5 });
    const response = await callAs(instanceId, 'ECOM_VALIDATIONS', VIOLATIONS, cart('CHECKOUT'));
    expect(await response.json()).toEqual({
      violations: [
        {
          severity: 'ERROR',
          target: { lineItem: { name: 'LINE_ITEM_DEFAULT', id: 'li-many' } },
          description: 'At most 5 of one item per order.',
        },
      ],
    });
  });

  it('only warns on the cart page', async () => {
    const instanceId = await siteWith({ maxQuantityPerLineItem: 5 });
    const response = await callAs(instanceId, 'ECOM_VALIDATIONS', VIOLATIONS, cart('CART'));
    expect(await response.json()).toMatchObject({ violations: [{ severity: 'WARNING' }] });
  });

  it('finds nothing when the owner set no maximum', async () => {
    const instanceId = await siteWith({ maxQuantityPerLineItem: null });
    const response = await callAs(instanceId, 'ECOM_VALIDATIONS', VIOLATIONS, cart('CHECKOUT'));
    expect(await response.json()).toEqual({ violations: [] });
  });
});

describe('the route', () => {
  it('answers 404 service_plugin_not_found for a plugin this app does not implement', async () => {
    const body = await kit.signServicePluginCall('ECOM_DISCOUNTS_TRIGGER', {});
    await expectProblem(
      await kit.callServicePlugin(POST, '/api/service-plugins/v1/list-triggers', body),
      404,
      'service_plugin_not_found',
    );
  });

  it('refuses an unsigned body before any handler', async () => {
    await expectProblem(
      await kit.callServicePlugin(POST, FEES, 'not.a.jwt'),
      401,
      'invalid_service_plugin_signature',
    );
  });
});
