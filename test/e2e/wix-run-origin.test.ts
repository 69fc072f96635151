/**
 * The real production origin in a real browser: a page served over HTTPS as
 * https://<app-id>.wix.run calls `next start` (NODE_ENV=production, no CORS_ALLOWED_ORIGINS, no
 * localhost) the way a Wix dashboard page does (docs/wix-protocol.md, "CORS"). Only the built-in rule
 * "https://<WIX_APP_ID>.wix.run is allowed" lets it through.
 *
 * How the name and the certificate work without the network: Chromium gets
 * `--host-resolver-rules=MAP *.wix.run 127.0.0.1` and `--ignore-certificate-errors` (this file
 * only), and a TLS proxy with a certificate made at test time serves the page on 127.0.0.1:443.
 * Port 443 matters: the backend allows exactly `https://<id>.wix.run`, and any other port would
 * be part of the Origin. Binding 443 needs root; when that is not possible the test falls back
 * to a free port and adds that ported origin through CORS_ALLOWED_ORIGINS (then it no longer tests
 * the built-in rule alone, and says so on the console).
 *
 * Local Network Access / mixed content: the page is https and calls the API at plain
 * http://127.0.0.1:PORT. Chromium (156, headless) allows it, no HTTPS in front of the API needed:
 * 127.0.0.1 is a potentially trustworthy origin (no mixed-content block), and the page itself was
 * loaded from 127.0.0.1 (the resolver rule), so it already is in the loopback address space and
 * no Local Network Access check applies.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { launchChromium, readPageResult } from './helpers/browser';
import {
  makeSelfSignedCertificate,
  startHttpsProxy,
  type HttpsProxy,
} from './helpers/https-origin';
import { startNextServer, type NextServer } from './helpers/next-server';
import { startRecordingProxy, type Exchange, type RecordingProxy } from './helpers/recording-proxy';
import { startStaticOrigin, type StaticOrigin } from './helpers/static-origin';

const INSTANCE_ID = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';
const WIX_HOST = `${TEST_APP_ID}.wix.run`;
/** The origin the backend allows in production without any configuration. */
const PRODUCTION_ORIGIN = `https://${WIX_HOST}`;

let emulator: WixEmulator | undefined;
let server: NextServer | undefined;
let proxy: RecordingProxy | undefined;
let site: StaticOrigin | undefined;
let localhostSite: StaticOrigin | undefined;
let wixRun: HttpsProxy | undefined;
/** The same page as https://<app-id>.wix.run:PORT, a port the built-in rule does not allow. */
let wixRunPorted: HttpsProxy | undefined;
let browser: Browser | undefined;
/** What the browser sends as Origin from the wix.run page: PRODUCTION_ORIGIN on port 443. */
let wixOrigin = PRODUCTION_ORIGIN;
let validInstance: string;
let wrongSecretInstance: string;

/** The HTTPS front of the page: on 443 when we may bind it, else on a free port. */
async function startWixRunFront(target: string): Promise<HttpsProxy> {
  const certificate = await makeSelfSignedCertificate(WIX_HOST);
  if (process.getuid?.() === 0) {
    try {
      return await startHttpsProxy({ target, certificate, port: 443 });
    } catch (error) {
      console.warn(`[wix-run-origin] could not listen on 127.0.0.1:443 (${String(error)})`);
    }
  }
  const front = await startHttpsProxy({ target, certificate });
  wixOrigin = `${PRODUCTION_ORIGIN}:${front.port}`;
  console.warn(
    `[wix-run-origin] not on port 443: the page's origin is ${wixOrigin}, allowed through ` +
      'CORS_ALLOWED_ORIGINS rather than the built-in wix.run rule.',
  );
  return front;
}

beforeAll(async () => {
  site = await startStaticOrigin();
  localhostSite = await startStaticOrigin({ host: 'localhost' });
  wixRun = await startWixRunFront(site.origin);
  wixRunPorted = await startHttpsProxy({
    target: site.origin,
    certificate: await makeSelfSignedCertificate(WIX_HOST),
  });
  emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  server = await startNextServer({
    env: {
      NODE_ENV: 'production',
      WIX_APP_ID: TEST_APP_ID,
      WIX_APP_SECRET: TEST_APP_SECRET,
      WIX_API_BASE_URL: emulator.url,
      // CORS_ALLOW_LOCALHOST stays unset: production's default (off) is what is tested.
      ...(wixOrigin === PRODUCTION_ORIGIN ? {} : { CORS_ALLOWED_ORIGINS: wixOrigin }),
    },
  });
  proxy = await startRecordingProxy(server.url);
  browser = await launchChromium([
    '--host-resolver-rules=MAP *.wix.run 127.0.0.1',
    '--ignore-certificate-errors',
  ]);
  const payload = { instanceId: INSTANCE_ID, appDefId: TEST_APP_ID, uid: 'user-2' };
  validInstance = await signInstance({ ...payload, permissions: 'OWNER' }, TEST_APP_SECRET);
  wrongSecretInstance = await signInstance(payload, 'not-the-app-secret');
});

afterAll(async () => {
  await Promise.allSettled([
    browser?.close(),
    server?.stop(),
    proxy?.close(),
    wixRun?.close(),
    wixRunPorted?.close(),
    site?.close(),
    localhostSite?.close(),
    emulator?.close(),
  ]);
});

beforeEach(() => {
  proxy?.clear();
  onTestFailed(() => {
    console.log(`next start output:\n${server?.output() ?? '(no server)'}`);
    console.log(`exchanges seen by the proxy:\n${JSON.stringify(proxy?.exchanges, null, 2)}`);
  });
});

/** Opens `pageOrigin`'s copy of the static page in a fresh context (empty preflight cache). */
async function visit(pageOrigin: string, instance: string) {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    const query = new URL(site!.pageUrl({ api: proxy!.url, instance })).search;
    await page.goto(`${pageOrigin}/${query}`);
    expect(await page.evaluate(() => location.origin)).toBe(pageOrigin);
    return await readPageResult(page);
  } finally {
    await context.close();
  }
}

const exchangesFor = (method: string, path: string): Exchange[] =>
  proxy!.exchanges.filter((e) => e.method === method && e.path === path);

describe('https://<app-id>.wix.run in a real browser against production next start', () => {
  it('lets the wix.run page call /api/me with a signed instance', async () => {
    const result = await visit(wixOrigin, validInstance);

    expect(result).toMatchObject({
      kind: 'response',
      status: 200,
      body: { instanceId: INSTANCE_ID, uid: 'user-2', credential: 'signed-instance' },
    });
    const [preflight] = exchangesFor('OPTIONS', '/api/me');
    expect(preflight?.requestHeaders.origin).toBe(wixOrigin);
    expect(preflight?.status).toBe(204);
    expect(preflight?.responseHeaders['access-control-allow-origin']).toBe(wixOrigin);
    const [actual] = exchangesFor('GET', '/api/me');
    expect(actual?.requestHeaders.origin).toBe(wixOrigin);
    expect(actual?.requestHeaders.authorization).toBe(validInstance);
    expect(actual?.responseHeaders['access-control-allow-origin']).toBe(wixOrigin);
  });

  it('refuses the same page served from http://localhost (production default)', async () => {
    const result = await visit(localhostSite!.origin, validInstance);

    expect(result).toMatchObject({ kind: 'error', name: 'TypeError' });
    const preflights = exchangesFor('OPTIONS', '/api/me');
    expect(preflights.length).toBeGreaterThanOrEqual(1);
    for (const preflight of preflights) {
      expect(preflight.requestHeaders.origin).toBe(localhostSite!.origin);
      expect(preflight.status).toBe(403);
      expect(preflight.responseHeaders).not.toHaveProperty('access-control-allow-origin');
    }
    expect(exchangesFor('GET', '/api/me')).toHaveLength(0);
  });

  it('refuses https://<app-id>.wix.run on another port (the rule is exact)', async (ctx) => {
    // Without port 443 the ported origin is the one allowed through CORS_ALLOWED_ORIGINS.
    if (wixOrigin !== PRODUCTION_ORIGIN) ctx.skip();
    const portedOrigin = `${PRODUCTION_ORIGIN}:${wixRunPorted!.port}`;
    const result = await visit(portedOrigin, validInstance);

    expect(result).toMatchObject({ kind: 'error', name: 'TypeError' });
    const preflights = exchangesFor('OPTIONS', '/api/me');
    expect(preflights.length).toBeGreaterThanOrEqual(1);
    for (const preflight of preflights) {
      expect(preflight.requestHeaders.origin).toBe(portedOrigin);
      expect(preflight.status).toBe(403);
      expect(preflight.responseHeaders).not.toHaveProperty('access-control-allow-origin');
    }
    expect(exchangesFor('GET', '/api/me')).toHaveLength(0);
  });

  it('lets the wix.run page read a 401 invalid_signature (CORS headers on errors)', async () => {
    const result = await visit(wixOrigin, wrongSecretInstance);

    expect(result).toMatchObject({
      kind: 'response',
      status: 401,
      body: { code: 'invalid_signature', status: 401 },
    });
    const [actual] = exchangesFor('GET', '/api/me');
    expect(actual?.requestHeaders.origin).toBe(wixOrigin);
    expect(actual?.responseHeaders['access-control-allow-origin']).toBe(wixOrigin);
  });

  it('lets the wix.run page call /api/me with a Wix access token', async () => {
    const token = emulator!.issueWidgetToken({ instanceId: INSTANCE_ID, subjectType: 'USER' });
    const result = await visit(wixOrigin, token);

    expect(result).toMatchObject({
      kind: 'response',
      status: 200,
      body: { instanceId: INSTANCE_ID, credential: 'access-token', subjectType: 'USER' },
    });
    const [actual] = exchangesFor('GET', '/api/me');
    expect(actual?.requestHeaders.authorization).toBe(token);
    expect(actual?.responseHeaders['access-control-allow-origin']).toBe(wixOrigin);
  });
});
