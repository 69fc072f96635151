/**
 * POST /api/dev/service-plugin: in development, signs a sample checkout call for a sample site
 * with the local key pair `npm run dev` hands the app and sends it through the service-plugin
 * entry, so the answer is this app's worked examples (lib/service-plugins) on the site's checkout
 * settings — what the owner saves with PUT /api/settings, and gift cards issued with
 * POST /api/gift-cards. Here the test kit's pair stands in for the local one. 404 anywhere else.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '@/app/(demo)/api/dev/service-plugin/route';
import { POST as createGiftCard } from '@/app/api/gift-cards/route';
import { DEFAULT_CHECKOUT_SETTINGS, type CheckoutSettings } from '@/lib/settings/checkout-settings';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import {
  ownerOf as ownerOfSite,
  saveCheckout as saveSiteCheckout,
  type SampleSite,
} from '../../../sample-site';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

let kit: TestApp;
/** `npm run dev` on the development credentials, with the signing key it provides. */
let dev: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
  dev = kit.asDevServer();
});
afterAll(() => kit.close());

interface Sent {
  instanceId: string;
  path: string;
  sent: { request: Record<string, unknown>; metadata: Record<string, unknown> };
  status: number;
  answer: Record<string, unknown>;
}

async function send(query: string): Promise<Sent> {
  const response = await dev.call(POST, `/api/dev/service-plugin?${query}`, { method: 'POST' });
  expect(response.status).toBe(200);
  return (await response.json()) as Sent;
}

const ownerOf = (site: SampleSite) => ownerOfSite(dev, site);
const saveCheckout = (site: SampleSite, checkout: CheckoutSettings) =>
  saveSiteCheckout(dev, site, checkout);

describe('POST /api/dev/service-plugin in development, on the worked examples', () => {
  it("answers the default handling fee in the site's currency until the owner saves one, then the saved fee", async () => {
    expect(await send('site=a&case=fees&currency=EUR')).toMatchObject({
      instanceId: DEV_SAMPLE_SITES.a.instanceId,
      path: '/api/service-plugins/v1/calculate-additional-fees',
      status: 200,
      answer: {
        currency: 'EUR',
        additionalFees: [
          { code: 'handling-fee', name: 'Handling', price: DEFAULT_CHECKOUT_SETTINGS.handlingFee },
        ],
      },
    });

    await saveCheckout('a', { ...DEFAULT_CHECKOUT_SETTINGS, handlingFee: '7.25' });
    const after = await send('site=a&case=fees');
    expect(after.answer).toEqual({
      currency: 'USD',
      additionalFees: [{ code: 'handling-fee', name: 'Handling', price: '7.25' }],
    });
    // The other sample site's settings are its own.
    const other = await send('site=b&case=fees');
    expect(other.answer).toMatchObject({ additionalFees: [{ price: '2.50' }] });
  });

  it("answers the site's rate table, and 400 MISSING_POSTAL_CODE without a postal code", async () => {
    const rates = [
      { code: 'pickup', title: 'Pick-up', price: '0.00', deliveryTime: 'same day' },
      { code: 'courier', title: 'Courier', price: '9.90', deliveryTime: '2 days' },
    ];
    await saveCheckout('b', { ...DEFAULT_CHECKOUT_SETTINGS, shippingRates: rates });
    const sent = await send('site=b&case=shipping&currency=EUR');
    expect(sent).toMatchObject({ path: '/api/service-plugins/v1/getRates', status: 200 });
    expect(sent.answer).toEqual({
      shippingRates: rates.map((rate) => ({
        code: rate.code,
        title: rate.title,
        logistics: { deliveryTime: rate.deliveryTime },
        cost: { price: rate.price, currency: 'EUR', additionalCharges: [] },
      })),
    });

    const partial = await send('site=b&case=shipping-no-postal-code');
    expect(partial.status).toBe(400);
    expect(partial.answer).toEqual({ applicationError: { code: 'MISSING_POSTAL_CODE' } });
  });

  it('flags the line over the maximum quantity at checkout, and nothing once the owner raises it', async () => {
    const site = DEV_SAMPLE_SITES.b.instanceId;
    await saveCheckout('b', { ...DEFAULT_CHECKOUT_SETTINGS, maxQuantityPerLineItem: 10 });
    const sent = await send('site=b&case=validations');
    expect(sent.sent.metadata).toMatchObject({
      instanceId: site,
      appExtensionType: 'ECOM_VALIDATIONS',
    });
    expect(sent.answer).toEqual({
      violations: [
        {
          severity: 'ERROR',
          target: { lineItem: { name: 'LINE_ITEM_DEFAULT', id: 'line-2' } },
          description: 'At most 10 of one item per order.',
        },
      ],
    });

    await saveCheckout('b', { ...DEFAULT_CHECKOUT_SETTINGS, maxQuantityPerLineItem: 20 });
    expect((await send('site=b&case=validations')).answer).toEqual({ violations: [] });
  });

  it("answers a gift card's balance once the owner issued it, and 404 GIFT_CARD_NOT_FOUND before", async () => {
    const code = `DEMO-${randomUUID().slice(0, 8)}`;
    const before = await send(`site=a&case=gift-card-balance&code=${code}`);
    expect(before).toMatchObject({
      path: '/api/service-plugins/v1/balance',
      status: 404,
      answer: { applicationError: { code: 'GIFT_CARD_NOT_FOUND' } },
    });

    const issued = await dev.call(createGiftCard, '/api/gift-cards', {
      method: 'POST',
      auth: await ownerOf('a'),
      json: { code, balance: 25.5, currency: 'EUR' },
    });
    expect(issued.status).toBe(201);
    const after = await send(`site=a&case=gift-card-balance&code=${code}`);
    expect(after.sent.request).toMatchObject({ code });
    expect(after).toMatchObject({ status: 200, answer: { balance: 25.5, currencyCode: 'EUR' } });
    // Another site's plugin call does not find this site's card.
    const elsewhere = await send(`site=b&case=gift-card-balance&code=${code}`);
    expect(elsewhere.status).toBe(404);
  });

  it.each([
    ['an unknown site', 'site=c&case=fees'],
    ['an unknown case', 'site=a&case=refund'],
    ['a balance call without a code', 'site=a&case=gift-card-balance'],
  ])('answers 400 invalid_request for %s', async (_label, query) => {
    const response = await dev.call(POST, `/api/dev/service-plugin?${query}`, { method: 'POST' });
    await expectProblem(response, 400, 'invalid_request');
  });
});

describe('POST /api/dev/service-plugin anywhere else', () => {
  const realCredentials = {
    WIX_APP_ID: randomUUID(),
    WIX_APP_SECRET: 'a-real-secret-0123456789abcdef',
  };
  it.each([
    ['in production, with the key set', { ...realCredentials, NODE_ENV: 'production' }],
    ['in development with real credentials', realCredentials],
    ['on the development credentials without the signing key', { WIX_DEV_WEBHOOK_SIGNING_KEY: '' }],
  ])('answers 404 not_found %s', async (_label, env) => {
    const response = await dev
      .withEnv(env)
      .call(POST, '/api/dev/service-plugin?site=a&case=fees', { method: 'POST' });
    await expectProblem(response, 404, 'not_found');
  });
});
