/**
 * `devServicePlugin` (src/dev/routes.ts), the demo's sample checkout call, served as an app's
 * `publicRoute` over the fixture app's service plugins: in development with the signing key it
 * signs a sample call for a sample site and answers what the service-plugin entry answered —
 * the handler's answer, an `applicationError`, a handler's failure or a refusal, as Wix would
 * read them; a bad query is a 400 that sends nothing; anywhere else it is a 404 that sends
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleWixWebhook } from '../../src/app/webhooks';
import { createWixApp } from '../../src/create-wix-app';
import { DEV_APP_ID } from '../../src/config/dev-credentials';
import { devServicePlugin } from '../../src/dev/routes';
import { DEV_SAMPLE_SITES } from '../../src/dev/sample-sites';
import { createTestApp, expectProblem, type TestApp } from '../../src/testing';
import { webhookKeyPair } from '../../src/testing/webhooks';
import { seen, servicePluginsApp } from '../fixtures/service-plugins';

const PATH = '/api/dev/service-plugin';
/** The fixture app's plugins, with the demo's route public as the template's lib/wix-app.ts has it. */
const devApp = createWixApp({ ...servicePluginsApp.definition, publicPaths: [PATH] });
const POST = devApp.publicRoute(devServicePlugin);

const SITE_A = DEV_SAMPLE_SITES.a.instanceId;
const SITE_B = DEV_SAMPLE_SITES.b.instanceId;

let kit: TestApp;
/** `npm run dev` on the development credentials, with the signing key it hands the app. */
let dev: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ app: devApp });
  dev = kit.asDevServer();
});
afterAll(() => kit?.close());
beforeEach(() => {
  seen.feeCalls = 0;
  seen.instanceIds = [];
});

interface Sent {
  site: string;
  case: string;
  instanceId: string;
  method: string;
  path: string;
  sent: { request: Record<string, unknown>; metadata: Record<string, unknown> };
  jwt: string;
  status: number;
  answer: Record<string, unknown> | null;
}

const post = (query: string, app: TestApp = dev) =>
  app.call(POST, `${PATH}?${query}`, { method: 'POST' });

async function send(query: string, app: TestApp = dev): Promise<Sent> {
  const response = await post(query, app);
  expect(response.status).toBe(200);
  return (await response.json()) as Sent;
}

describe('POST /api/dev/service-plugin in development, with the signing key', () => {
  it("sends Additional Fees for sample site A as Wix would, and shows the handler's answer", async () => {
    const sent = await send('site=a&case=fees&currency=EUR');
    expect(sent).toMatchObject({
      site: 'a',
      case: 'fees',
      instanceId: SITE_A,
      method: 'POST',
      path: '/api/service-plugins/v1/calculate-additional-fees',
      status: 200,
      answer: { currency: 'EUR', additionalFees: [{ code: 'handling', price: '2.50' }] },
    });
    // What was sent, decoded: the request in REST names, and Wix's metadata for the site.
    expect(sent.sent.metadata).toMatchObject({
      instanceId: SITE_A,
      currency: 'EUR',
      appExtensionType: 'ECOM_ADDITIONAL_FEES',
      identity: { identityType: 'ANONYMOUS_VISITOR' },
    });
    expect(sent.sent.request).toMatchObject({
      lineItems: [{ id: 'line-1' }, { id: 'line-2', quantity: 12 }],
      shippingAddress: { postalCode: '10001' },
    });
    expect(sent.jwt.split('.')).toHaveLength(3);
    // The handler ran once, for the sample site (the tenant is the verified instance's).
    expect(seen).toEqual({ feeCalls: 1, instanceIds: [SITE_A] });
  });

  it("is signed for this app: the JWT's aud is the app id and the entry verified it", async () => {
    const { jwt } = await send('site=b&case=fees');
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {
      iss: string;
      aud: string;
    };
    expect(claims).toMatchObject({ iss: 'wix.com', aud: DEV_APP_ID });
  });

  it("hands the handler the site's plan: a paid site is charged no fee", async () => {
    const purchase = await kit.signWebhook('PaidPlanPurchased', SITE_B);
    expect((await handleWixWebhook(dev.app, purchase)).outcome).toBe('applied');
    const sent = await send('site=b&case=fees');
    expect(sent).toMatchObject({ status: 200, answer: { currency: 'USD', additionalFees: [] } });
  });

  it('sends Shipping Rates with a postal code, and answers the rates', async () => {
    const sent = await send('site=a&case=shipping');
    expect(sent).toMatchObject({
      path: '/api/service-plugins/v1/getRates',
      status: 200,
      answer: { shippingRates: [{ code: 'flat', cost: { price: '5.00' } }] },
    });
    expect(sent.sent.metadata.appExtensionType).toBe('ECOM_SHIPPING_RATES');
  });

  it("sends Shipping Rates without a postal code, and shows Wix's applicationError with its status", async () => {
    const sent = await send('site=a&case=shipping-no-postal-code');
    expect(sent.sent.request.shippingDestination).toMatchObject({
      country: 'US',
      city: 'New York',
      addressLine: '235 W 23rd St',
    });
    expect(sent.sent.request.shippingDestination).not.toHaveProperty('postalCode');
    expect(sent).toMatchObject({
      status: 400,
      answer: { applicationError: { code: 'MISSING_POSTAL_CODE' } },
    });
  });

  it('sends Validations at checkout', async () => {
    const sent = await send('site=a&case=validations');
    expect(sent).toMatchObject({
      path: '/api/service-plugins/v1/get-violations',
      status: 200,
      answer: { violations: [] },
      sent: { request: { sourceInfo: { source: 'CHECKOUT' } } },
    });
  });

  it("sends a gift card's balance call with the code, and shows a handler's bad answer as the 500 Wix would get", async () => {
    const sent = await send('site=a&case=gift-card-balance&code=GIFT-1234');
    expect(sent.sent.request).toMatchObject({ code: 'GIFT-1234' });
    expect(sent.path).toBe('/api/service-plugins/v1/balance');
    // The fixture's balance handler answers a string where Wix reads a number.
    expect(sent.status).toBe(500);
    expect(sent.answer).toMatchObject({ code: 'internal_error' });
  });

  it('shows a refusal by the entry when the app trusts another key than the one that signs', async () => {
    const other = dev.withEnv({ WIX_APP_PUBLIC_KEY: webhookKeyPair().publicKeyPem });
    const sent = await send('site=a&case=fees', other);
    expect(sent).toMatchObject({
      status: 401,
      answer: { code: 'invalid_service_plugin_signature' },
    });
    expect(seen.feeCalls).toBe(0);
  });

  it.each([
    ['an unknown site', 'site=c&case=fees'],
    ['no site', 'case=fees'],
    ['an unknown case', 'site=a&case=tax'],
    ['a case named by an inherited property', 'site=a&case=toString'],
    ['no case', 'site=a'],
    ['a currency that is not ISO 4217', 'site=a&case=fees&currency=usd'],
    ['a balance call without a code', 'site=a&case=gift-card-balance'],
    ['a balance call with a blank code', 'site=a&case=gift-card-balance&code=%20%20'],
    [
      'a balance call with a code too long',
      `site=a&case=gift-card-balance&code=${'x'.repeat(101)}`,
    ],
  ])('answers 400 invalid_request for %s, sending nothing', async (_label, query) => {
    const response = await post(query);
    const problem = await expectProblem(response, 400, 'invalid_request');
    expect(problem.detail).toMatch(/site must be|code must name the gift card/);
    expect(seen.feeCalls).toBe(0);
  });
});

describe('POST /api/dev/service-plugin anywhere else', () => {
  const realCredentials = {
    WIX_APP_ID: randomUUID(),
    WIX_APP_SECRET: 'a-real-secret-0123456789abcdef',
  };
  const cases: [string, Record<string, string>][] = [
    ['in production, with the key set', { ...realCredentials, NODE_ENV: 'production' }],
    ['in development with real credentials (no development tools)', realCredentials],
    ['on the development credentials without the signing key', { WIX_DEV_WEBHOOK_SIGNING_KEY: '' }],
  ];

  it.each(cases)('answers 404 not_found %s, sending nothing', async (_label, env) => {
    await expectProblem(await post('site=a&case=fees', dev.withEnv(env)), 404, 'not_found');
    expect(seen.feeCalls).toBe(0);
  });
});
