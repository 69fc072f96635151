/**
 * Service plugins over real HTTP against the production build (`next start`), as Wix calls them
 * (docs/service-plugins.md): signed calls at the issue's paths reach the worked examples and get
 * Wix's shapes, answered from what the owner saved with PUT /api/settings; the owner's gift card
 * is read, redeemed and voided through the plugin; forged, expired, another app's, `alg: none`,
 * HS256-with-the-public-key and oversized calls are refused with their 4xx before any handler and
 * carry no CORS headers; `npm run service-plugin` signs with the key `npm run dev` gives the
 * server; and 50 copies of one redeem and of one void spread over two processes sharing
 * PostgreSQL (through the transaction-mode pooler where CI runs one) move the balance once.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import path from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import {
  DEV_WEBHOOK_KEYS_FILE,
  loadOrCreateDevWebhookKeys,
} from 'wix-app-backend/dev/dev-webhook-keys';
import {
  sampleFeesRequest,
  sampleGiftCardBalanceRequest,
  sampleGiftCardRedeemRequest,
  sampleGiftCardVoidRequest,
  sampleShippingRatesRequest,
  sampleValidationsRequest,
} from 'wix-app-backend/dev/service-plugin-samples';
import { signServicePluginRequest } from 'wix-app-backend/dev/sign-service-plugin';
import { MAX_SERVICE_PLUGIN_BODY_BYTES } from 'wix-app-backend/routes';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { printOutputOnFailure, runProjectScript, send } from './helpers/http';
import { startNextServer, type NextServer } from './helpers/next-server';
import { PROJECT_ROOT } from './helpers/paths';

// "Wix's" key pair is the one `npm run dev` hands a development server, so the script can sign
// for this server too; a stranger's signs the forgeries.
const devKeys = loadOrCreateDevWebhookKeys(path.join(PROJECT_ROOT, DEV_WEBHOOK_KEYS_FILE));
const wixKey = createPrivateKey(devKeys.privateKeyPem);
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ENV = {
  WIX_APP_ID: TEST_APP_ID,
  WIX_APP_SECRET: TEST_APP_SECRET,
  WIX_APP_PUBLIC_KEY: devKeys.publicKeyPem,
};

const FEES = '/v1/calculate-additional-fees';
const RATES = '/v1/getRates';
const VIOLATIONS = '/v1/get-violations';
const COPIES = 50;

const sign = (
  appExtensionType: string,
  instanceId: string,
  request: Record<string, unknown>,
  options: { key?: typeof wixKey; currency?: string; appId?: string; issuedAt?: Date } = {},
) =>
  signServicePluginRequest(
    {
      appId: options.appId ?? TEST_APP_ID,
      appExtensionType,
      instanceId,
      request,
      currency: options.currency ?? 'EUR',
    },
    options.key ?? wixKey,
    { issuedAt: options.issuedAt },
  );

/** The POST Wix sends, to `path` under the deploymentUri `/api/service-plugins`. */
const post = (
  server: NextServer,
  path: string,
  body: string,
  headers: Record<string, string> = {},
) =>
  send(`${server.url}/api/service-plugins${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...headers },
    body,
  });

const ownerInstance = (instanceId: string) =>
  signInstance(
    {
      instanceId,
      appDefId: TEST_APP_ID,
      uid: `owner-${instanceId.slice(0, 8)}`,
      permissions: 'OWNER',
    },
    TEST_APP_SECRET,
  );

/** The owner's dashboard call: `Authorization` is the signed instance. */
const asOwner = async (
  server: NextServer,
  instanceId: string,
  method: string,
  route: string,
  json?: unknown,
  headers: Record<string, string> = {},
) =>
  send(`${server.url}${route}`, {
    method,
    headers: {
      authorization: await ownerInstance(instanceId),
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });

/** The owner issues a card of `balance` EUR; its code. */
async function issueCard(server: NextServer, instanceId: string, balance: number) {
  const code = `GC${randomUUID().replaceAll('-', '').slice(0, 14).toUpperCase()}`;
  const created = await asOwner(server, instanceId, 'POST', '/api/gift-cards', {
    code,
    balance,
    currency: 'EUR',
  });
  expect(created.status, created.text).toBe(201);
  return code;
}

async function balanceOf(server: NextServer, instanceId: string, code: string) {
  const answer = await post(
    server,
    '/v1/balance',
    await sign('GIFT_CARDS_PROVIDER', instanceId, sampleGiftCardBalanceRequest(code)),
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.body.balance;
}

describe('service plugins on next start', () => {
  let server: NextServer;
  beforeAll(async () => {
    server = await startNextServer({ env: ENV });
  });
  afterAll(() => server?.stop());
  printOutputOnFailure(() => [server]);

  it("answers each example in Wix's shapes, from what the owner saved in the dashboard", async () => {
    const site = randomUUID();
    const current = await asOwner(server, site, 'GET', '/api/settings');
    expect(current.status, current.text).toBe(200);
    const saved = await asOwner(
      server,
      site,
      'PUT',
      '/api/settings',
      {
        ...(current.body.settings as object),
        checkout: {
          handlingFee: '4.20',
          waiveFeeOnPaidPlan: false,
          shippingRates: [
            { code: 'courier', title: 'Courier', price: '9.90', deliveryTime: 'next day' },
          ],
          maxQuantityPerLineItem: 3,
        },
      },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(saved.status, saved.text).toBe(200);

    const fees = await post(
      server,
      FEES,
      await sign('ECOM_ADDITIONAL_FEES', site, sampleFeesRequest()),
    );
    expect(fees.status, fees.text).toBe(200);
    expect(fees.headers.get('content-type')).toContain('application/json');
    expect(fees.body).toEqual({
      currency: 'EUR',
      additionalFees: [{ code: 'handling-fee', name: 'Handling', price: '4.20' }],
    });

    const rates = await post(
      server,
      RATES,
      await sign('ECOM_SHIPPING_RATES', site, sampleShippingRatesRequest()),
    );
    expect(rates.body).toEqual({
      shippingRates: [
        {
          code: 'courier',
          title: 'Courier',
          logistics: { deliveryTime: 'next day' },
          cost: { price: '9.90', currency: 'EUR', additionalCharges: [] },
        },
      ],
    });
    const noPostalCode = await post(
      server,
      RATES,
      await sign(
        'ECOM_SHIPPING_RATES',
        site,
        sampleShippingRatesRequest({ destination: { postalCode: null } }),
      ),
    );
    expect(noPostalCode.status).toBe(400);
    expect(noPostalCode.body).toEqual({ applicationError: { code: 'MISSING_POSTAL_CODE' } });

    const violations = await post(
      server,
      VIOLATIONS,
      await sign(
        'ECOM_VALIDATIONS',
        site,
        sampleValidationsRequest({
          lines: [
            { id: 'ok', quantity: 3 },
            { id: 'many', quantity: 4 },
          ],
        }),
      ),
    );
    expect(violations.body).toEqual({
      violations: [
        {
          severity: 'ERROR',
          target: { lineItem: { name: 'LINE_ITEM_DEFAULT', id: 'many' } },
          description: 'At most 3 of one item per order.',
        },
      ],
    });
  });

  it("serves the owner's gift card: balance, redeem, void, each in Wix's shape", async () => {
    const site = randomUUID();
    const code = await issueCard(server, site, 50);
    expect(await balanceOf(server, site, code)).toBe(50);

    const orderId = randomUUID();
    const redeemed = await post(
      server,
      '/v1/redeem',
      await sign(
        'GIFT_CARDS_PROVIDER',
        site,
        sampleGiftCardRedeemRequest({ code, amount: 12.5, orderId, currencyCode: 'EUR' }),
      ),
    );
    expect(redeemed.status, redeemed.text).toBe(200);
    expect(redeemed.body).toEqual({
      transactionId: expect.any(String),
      remainingBalance: 37.5,
      currencyCode: 'EUR',
    });
    const tooMuch = await post(
      server,
      '/v1/redeem',
      await sign(
        'GIFT_CARDS_PROVIDER',
        site,
        sampleGiftCardRedeemRequest({ code, amount: 100, orderId: randomUUID() }),
      ),
    );
    expect(tooMuch.status).toBe(428);
    expect(tooMuch.body).toEqual({ applicationError: { code: 'INSUFFICIENT_FUNDS' } });

    const voided = await post(
      server,
      '/v1/void',
      await sign(
        'GIFT_CARDS_PROVIDER',
        site,
        sampleGiftCardVoidRequest(String(redeemed.body.transactionId)),
      ),
    );
    expect(voided.status, voided.text).toBe(200);
    expect(voided.body).toEqual({ remainingBalance: 50, currencyCode: 'EUR' });

    // Another site cannot read the card, however it names it.
    const elsewhere = await post(
      server,
      '/v1/balance',
      await sign('GIFT_CARDS_PROVIDER', randomUUID(), sampleGiftCardBalanceRequest(code)),
    );
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toEqual({ applicationError: { code: 'GIFT_CARD_NOT_FOUND' } });
  });

  it('refuses forged, expired, foreign, unsigned, HS256 and oversized calls before any handler', async () => {
    const site = randomUUID();
    const code = await issueCard(server, site, 20);
    const redeem = (orderId = randomUUID()) =>
      sampleGiftCardRedeemRequest({ code, amount: 5, orderId });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      data: {
        request: redeem(),
        metadata: { instanceId: site, appExtensionType: 'GIFT_CARDS_PROVIDER' },
      },
    };
    const refusals: Array<[string, string, number, string]> = [
      [
        'forged',
        await sign('GIFT_CARDS_PROVIDER', site, redeem(), { key: strangerKey }),
        401,
        'invalid_service_plugin_signature',
      ],
      [
        'expired',
        await sign('GIFT_CARDS_PROVIDER', site, redeem(), {
          issuedAt: new Date(Date.now() - 3_600_000),
        }),
        401,
        'expired_service_plugin_call',
      ],
      [
        'another app',
        await sign('GIFT_CARDS_PROVIDER', site, redeem(), { appId: randomUUID() }),
        401,
        'wrong_app',
      ],
      [
        'alg none',
        new UnsecuredJWT(claims)
          .setIssuer('wix.com')
          .setAudience(TEST_APP_ID)
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .encode(),
        401,
        'invalid_service_plugin_signature',
      ],
      [
        'HS256 keyed with the public key',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('wix.com')
          .setAudience(TEST_APP_ID)
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(new TextEncoder().encode(devKeys.publicKeyPem)),
        401,
        'invalid_service_plugin_signature',
      ],
      ['not a JWT', JSON.stringify(claims), 400, 'malformed_service_plugin_call'],
    ];
    for (const [name, body, status, code] of refusals) {
      const answer = await post(server, '/v1/redeem', body, { origin: 'https://evil.example' });
      expect(answer.status, `${name}: ${answer.text}`).toBe(status);
      expect(answer.body.code, name).toBe(code);
      expect(answer.headers.get('content-type'), name).toContain('application/problem+json');
      expect(answer.headers.get('access-control-allow-origin'), name).toBeNull();
    }
    const oversized = await post(
      server,
      '/v1/redeem',
      'a'.repeat(MAX_SERVICE_PLUGIN_BODY_BYTES + 1),
    );
    expect(oversized.status).toBe(413);
    expect(oversized.body.code).toBe('payload_too_large');
    // None of them reached the handler: the card is untouched.
    expect(await balanceOf(server, site, code)).toBe(20);
    expect(server.output()).not.toContain('unhandled error');
  });

  it('npm run service-plugin signs with the development key and gets the example’s answer', async () => {
    const site = randomUUID();
    const result = await runProjectScript(
      'service-plugin',
      ['fees', '--instance-id', site, '--currency', 'EUR', '--url', server.url],
      { WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET },
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('HTTP 200');
    expect(result.stdout).toContain('"currency":"EUR"');
    expect(result.stdout).toContain('"code":"handling-fee"');
  });
});

// The production path: PostgreSQL behind a transaction-mode pooler where the run has one.
const sharedDatabase = process.env.TEST_POOLED_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

describe.skipIf(!sharedDatabase)('gift cards across two processes sharing PostgreSQL', () => {
  const servers: NextServer[] = [];
  beforeAll(async () => {
    const env = { ...ENV, DATABASE_URL: sharedDatabase! };
    servers.push(...(await Promise.all([startNextServer({ env }), startNextServer({ env })])));
  });
  afterAll(() => Promise.all(servers.map((server) => server.stop())));
  printOutputOnFailure(() => servers);

  it(`moves the balance once for ${COPIES} copies of one redeem, then of its void`, async () => {
    const site = randomUUID();
    const code = await issueCard(servers[0]!, site, 100);
    const redeem = sampleGiftCardRedeemRequest({ code, amount: 30, orderId: randomUUID() });
    // Each copy signed on its own, as Wix's retries would be.
    const copies = (request: Record<string, unknown>, path: string) =>
      Promise.all(
        Array.from({ length: COPIES }, async (_, i) =>
          post(servers[i % 2]!, path, await sign('GIFT_CARDS_PROVIDER', site, request)),
        ),
      );

    const redeemed = await copies(redeem, '/v1/redeem');
    const answered = redeemed.filter((answer) => answer.status === 200);
    // A copy still waiting at the deadline on a loaded machine answers 504 and changes nothing.
    expect(redeemed.every((answer) => [200, 504].includes(answer.status))).toBe(true);
    expect(answered.length).toBeGreaterThan(0);
    expect(new Set(answered.map((answer) => answer.text)).size).toBe(1);
    expect(answered[0]!.body).toMatchObject({ remainingBalance: 70, currencyCode: 'EUR' });
    expect(await balanceOf(servers[1]!, site, code)).toBe(70);

    const voided = await copies(
      sampleGiftCardVoidRequest(String(answered[0]!.body.transactionId)),
      '/v1/void',
    );
    expect(voided.every((answer) => [200, 504].includes(answer.status))).toBe(true);
    for (const answer of voided.filter((each) => each.status === 200))
      expect(answer.body).toEqual({ remainingBalance: 100, currencyCode: 'EUR' });
    expect(await balanceOf(servers[0]!, site, code)).toBe(100);
    for (const server of servers) expect(server.output()).not.toContain('unhandled error');
  });
});
