/**
 * Real Chromium against `next start`: a page on another origin calls the API the way a Wix
 * dashboard page on https://<app-id>.wix.run does (docs/wix-protocol.md, "CORS"). A recording proxy in
 * front of the server shows what the browser actually sent, preflights included (Playwright's
 * page events do not report them).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { launchChromium, readPageResult } from './helpers/browser';
import { startNextServer, type NextServer } from './helpers/next-server';
import { startRecordingProxy, type Exchange, type RecordingProxy } from './helpers/recording-proxy';
import { startStaticOrigin, type StaticOrigin } from './helpers/static-origin';

const INSTANCE_ID = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';

let server: NextServer | undefined;
let proxy: RecordingProxy | undefined;
let allowed: StaticOrigin | undefined;
let notAllowed: StaticOrigin | undefined;
let browser: Browser | undefined;
let validInstance: string;
let wrongSecretInstance: string;

beforeAll(async () => {
  allowed = await startStaticOrigin();
  notAllowed = await startStaticOrigin();
  server = await startNextServer({
    env: {
      NODE_ENV: 'production',
      WIX_APP_ID: TEST_APP_ID,
      WIX_APP_SECRET: TEST_APP_SECRET,
      CORS_ALLOW_LOCALHOST: 'false',
      CORS_ALLOWED_ORIGINS: allowed.origin,
    },
  });
  proxy = await startRecordingProxy(server.url);
  browser = await launchChromium();
  const payload = { instanceId: INSTANCE_ID, appDefId: TEST_APP_ID, uid: 'user-1' };
  validInstance = await signInstance({ ...payload, permissions: 'OWNER' }, TEST_APP_SECRET);
  wrongSecretInstance = await signInstance(payload, 'not-the-app-secret');
});

afterAll(async () => {
  await Promise.allSettled([
    browser?.close(),
    server?.stop(),
    proxy?.close(),
    allowed?.close(),
    notAllowed?.close(),
  ]);
});

beforeEach(() => {
  proxy?.clear();
  onTestFailed(() => {
    console.log(`next start output:\n${server?.output() ?? '(no server)'}`);
    console.log(`exchanges seen by the proxy:\n${JSON.stringify(proxy?.exchanges, null, 2)}`);
  });
});

/** Opens the static page in a fresh browser context (an empty preflight cache) and reads it. */
async function visit(site: StaticOrigin, params: { path?: string; instance?: string }) {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    await page.goto(site.pageUrl({ api: proxy!.url, ...params }));
    return await readPageResult(page);
  } finally {
    await context.close();
  }
}

const exchangesFor = (method: string, path: string): Exchange[] =>
  proxy!.exchanges.filter((e) => e.method === method && e.path === path);

function expectNoCredentialsHeader(): void {
  for (const exchange of proxy!.exchanges) {
    expect(exchange.responseHeaders).not.toHaveProperty('access-control-allow-credentials');
  }
}

describe('CORS in a real browser against next start', () => {
  it('lets an allowed origin call /api/me with Authorization after a real preflight', async () => {
    const result = await visit(allowed!, { instance: validInstance });

    expect(result).toMatchObject({
      kind: 'response',
      status: 200,
      body: { instanceId: INSTANCE_ID, uid: 'user-1', credential: 'signed-instance' },
    });

    // The browser sent a preflight first, without the credential, and the server answered it.
    const [preflight, ...extraPreflights] = exchangesFor('OPTIONS', '/api/me');
    expect(preflight, 'an OPTIONS preflight reached the server').toBeDefined();
    expect(extraPreflights).toHaveLength(0);
    expect(preflight!.requestHeaders.origin).toBe(allowed!.origin);
    expect(preflight!.requestHeaders['access-control-request-method']).toBe('GET');
    expect(preflight!.requestHeaders['access-control-request-headers']).toMatch(/authorization/i);
    expect(preflight!.requestHeaders).not.toHaveProperty('authorization');
    expect(preflight!.status).toBe(204);
    expect(preflight!.responseHeaders['access-control-allow-origin']).toBe(allowed!.origin);
    expect(preflight!.responseHeaders['access-control-allow-headers']).toMatch(/authorization/i);

    // Then the actual request, with the instance as the raw Authorization value.
    const [actual] = exchangesFor('GET', '/api/me');
    expect(actual).toBeDefined();
    expect(proxy!.exchanges.indexOf(preflight!)).toBeLessThan(proxy!.exchanges.indexOf(actual!));
    expect(actual!.requestHeaders.authorization).toBe(validInstance);
    expect(actual!.status).toBe(200);
    expect(actual!.responseHeaders['access-control-allow-origin']).toBe(allowed!.origin);
    expectNoCredentialsHeader();
  });

  it('blocks the same page served from an origin that is not allowed', async () => {
    const result = await visit(notAllowed!, { instance: validInstance });

    expect(result).toMatchObject({ kind: 'error', name: 'TypeError' });

    // The preflight was refused, without CORS headers, so the actual request never ran.
    const preflights = exchangesFor('OPTIONS', '/api/me');
    expect(preflights.length).toBeGreaterThanOrEqual(1);
    for (const preflight of preflights) {
      expect(preflight.requestHeaders.origin).toBe(notAllowed!.origin);
      expect(preflight.status).toBe(403);
      expect(preflight.responseHeaders).not.toHaveProperty('access-control-allow-origin');
    }
    expect(exchangesFor('GET', '/api/me')).toHaveLength(0);
    expectNoCredentialsHeader();
  });

  it('lets an allowed origin read a 401 and its code (CORS headers on errors)', async () => {
    const result = await visit(allowed!, { instance: wrongSecretInstance });

    expect(result).toMatchObject({
      kind: 'response',
      status: 401,
      body: { code: 'invalid_signature', status: 401 },
    });
    // WWW-Authenticate is exposed to script, so the page can read the challenge too.
    expect(result.kind === 'response' && result.headers['www-authenticate']).toContain(
      'invalid_signature',
    );
    const [actual] = exchangesFor('GET', '/api/me');
    expect(actual?.responseHeaders['access-control-allow-origin']).toBe(allowed!.origin);
    expectNoCredentialsHeader();
  });

  it('answers an unknown /api path with a readable 404 not_found', async () => {
    const path = '/api/no-such-route';
    const result = await visit(allowed!, { path, instance: validInstance });

    expect(result).toMatchObject({
      kind: 'response',
      status: 404,
      body: { code: 'not_found', status: 404 },
    });
    const [actual] = exchangesFor('GET', path);
    expect(actual?.responseHeaders['access-control-allow-origin']).toBe(allowed!.origin);
    expect(actual?.responseHeaders['content-type']).toContain('application/problem+json');
    expectNoCredentialsHeader();
  });
});
