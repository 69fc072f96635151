/**
 * Attacks on the service-plugin entry (app/api/service-plugins/[...path], docs/service-plugins.md)
 * against one production `next start`, over HTTP and raw sockets: the path Wix appends in odd
 * spellings, bodies of the wrong type, empty, at and just over the cap, and a body trickling a byte
 * a second — each answers a 2xx or a 4xx problem in bounded time, never a 5xx nor a hang — and a
 * validly signed gift-card call whose code the database cannot store is a 4xx, not a 500.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signServicePluginRequest } from 'wix-app-backend/dev/sign-service-plugin';
import {
  MAX_SERVICE_PLUGIN_BODY_BYTES,
  SERVICE_PLUGIN_BODY_DEADLINE_MS,
} from 'wix-app-backend/routes';
import { webhookKeyPair } from 'wix-app-backend/testing/webhooks';
import { TEST_APP_ID } from 'wix-app-backend/testing/test-credentials';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { holdRequest, problemCode, untilReceived, within } from './helpers/held-request';
import { SECRETS, ownerInstance, rawRequest } from './helpers/http';

const keys = webhookKeyPair();

let server: NextServer | undefined;
let instanceId: string;
let code: string;

beforeAll(async () => {
  server = await startNextServer({
    env: {
      ...SECRETS,
      WIX_API_BASE_URL: 'http://127.0.0.1:9',
      WIX_APP_PUBLIC_KEY: keys.publicKeyPem,
    },
  });
  instanceId = randomUUID();
  code = `CARD-${randomUUID().slice(0, 8)}`;
  const issued = await fetch(`${server.url}/api/gift-cards`, {
    method: 'POST',
    headers: { authorization: await ownerInstance(instanceId), 'content-type': 'application/json' },
    body: JSON.stringify({ code, balance: 50, currency: 'EUR' }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(issued.status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

const balanceCall = (request: Record<string, unknown> = { code }) =>
  signServicePluginRequest(
    {
      appId: TEST_APP_ID,
      appExtensionType: 'GIFT_CARDS_PROVIDER',
      instanceId,
      request,
      currency: 'EUR',
    },
    keys.privateKey,
  );

const post = async (path: string, body: string, contentType: string | null = 'text/plain') => {
  const response = await fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: contentType === null ? {} : { 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
};

describe('the path Wix appends, spelled oddly', () => {
  it('answers each a 2xx or a 4xx problem, never a 5xx', async () => {
    const body = await balanceCall();
    const paths: Array<[string, number[]]> = [
      ['/api/service-plugins/v1/balance', [200]],
      ['/api/service-plugins/v1/balance/', [200, 308]],
      ['/api/service-plugins//v1/balance', [200, 308]],
      ['/api/service-plugins/v1/balance?x=1&x=2', [200]],
      ['/api/service-plugins/v1%2Fbalance', [200, 404]],
      ['/api/service-plugins/v1/balance%00', [400, 404]],
      // Next cannot decode these: its plain-text 500 unless the middleware answers first.
      ['/api/service-plugins/%E0%A4%A/v1/balance', [400]],
      ['/api/service-plugins/%zz', [400]],
      ['/api/service-plugins/v1/balance%ff', [400]],
      ['/api/service-plugins/a/../v1/balance', [200]],
      [`/api/service-plugins/${'a/'.repeat(2_000)}v1/balance`, [200, 404, 414, 431]],
      ['/api/service-plugins/v1/redeem/../balance', [200]],
    ];
    const seen: Record<string, number> = {};
    for (const [path, allowed] of paths) {
      const { status, text } = await post(path, body);
      seen[path.slice(0, 60)] = status;
      expect(status, `${path.slice(0, 80)}: ${text.slice(0, 200)}`).toBeLessThan(500);
      expect(allowed, `${path.slice(0, 80)}: ${status}`).toContain(status);
    }
    console.log(`[attack] service-plugin paths: ${JSON.stringify(seen)}`);
  }, 60_000);
});

describe('bodies', () => {
  it('answers the wrong content type, none, and an empty body with a 4xx problem', async () => {
    const body = await balanceCall();
    // Wix sends text/plain, but the body is the credential: its type is not checked.
    for (const type of ['application/json', 'application/x-www-form-urlencoded', null])
      expect((await post('/api/service-plugins/v1/balance', body, type)).status).toBe(200);
    const empty = await post('/api/service-plugins/v1/balance', '');
    expect(empty.status).toBe(400);
    expect(problemCode(empty.text)).toBe('malformed_service_plugin_call');
  });

  it('answers a body at the cap 400 and one byte over it 413', async () => {
    const at = await post(
      '/api/service-plugins/v1/balance',
      'a'.repeat(MAX_SERVICE_PLUGIN_BODY_BYTES),
    );
    expect(at.status).toBe(400);
    expect(problemCode(at.text)).toBe('malformed_service_plugin_call');
    const over = await post(
      '/api/service-plugins/v1/balance',
      'a'.repeat(MAX_SERVICE_PLUGIN_BODY_BYTES + 1),
    );
    expect(over.status).toBe(413);
    expect(problemCode(over.text)).toBe('payload_too_large');
  });

  it('ends a body trickling a byte a second at the route deadline with 408', async () => {
    const held = holdRequest(
      server!.port,
      [
        'POST /api/service-plugins/v1/redeem HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: text/plain',
        'Content-Length: 2000',
        '',
        '',
      ].join('\r\n'),
      'e',
    );
    const trickle = held.trickle(1_000);
    try {
      const answer = await within(held.answer, SERVICE_PLUGIN_BODY_DEADLINE_MS + 5_000, {
        status: -1,
        ms: -1,
      });
      await untilReceived(held, /"code":/, 1_000);
      console.log(`[attack] service-plugin trickle: ${JSON.stringify(answer)}`);
      expect(answer.status).toBe(408);
      expect(problemCode(held.text())).toBe('request_timeout');
    } finally {
      trickle.stop();
      held.destroy();
    }
  }, 20_000);

  it('answers a head that declares more than the cap before any body, over a raw socket', async () => {
    const answer = await rawRequest(
      server!.port,
      Buffer.from(
        [
          'POST /api/service-plugins/v1/redeem HTTP/1.1',
          'Host: 127.0.0.1',
          'Content-Type: text/plain',
          `Content-Length: ${MAX_SERVICE_PLUGIN_BODY_BYTES + 1}`,
          'Connection: close',
          '',
          '',
        ].join('\r\n'),
      ),
      10_000,
    );
    expect(answer.status).toBe(413);
  }, 20_000);
});

describe('a signed gift-card call the database cannot store', () => {
  it('answers a code with a NUL byte with a 4xx problem, not a 500', async () => {
    const { status, text } = await post(
      '/api/service-plugins/v1/balance',
      await balanceCall({ code: 'CARD\u0000NUL' }),
    );
    expect(status, text).toBe(400);
    expect(problemCode(text)).toBe('invalid_service_plugin_request');
    // Whatever it answers, it names no secret of the server.
    expect(text).not.toContain(SECRETS.WIX_APP_SECRET);
  });
});
