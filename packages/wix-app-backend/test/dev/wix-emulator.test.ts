import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startWixEmulator,
  type WixEmulator,
  type WixEmulatorOptions,
} from '../../src/dev/wix-emulator';
import { signInstance } from '../../src/auth/sign-instance';
import { INSTANCE_A, INSTANCE_B } from '../../src/testing/instances';
import { OTHER_APP_ID, TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

const START = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const FOUR_HOURS = 14_400;

let clock: number;
let emulator: WixEmulator;

async function start(options: Partial<WixEmulatorOptions> = {}): Promise<WixEmulator> {
  await emulator?.close();
  emulator = await startWixEmulator({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    now: () => clock,
    ...options,
  });
  return emulator;
}

beforeEach(async () => {
  clock = START;
  await start();
});

afterEach(async () => {
  await emulator.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${emulator.url}${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

const send = (method: string, path: string, body: unknown) =>
  call(path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const credentials = (overrides: Record<string, unknown> = {}) => ({
  grant_type: 'client_credentials',
  client_id: TEST_APP_ID,
  client_secret: TEST_APP_SECRET,
  instance_id: INSTANCE_A,
  ...overrides,
});

async function mint(instanceId = INSTANCE_A): Promise<string> {
  const answer = await send('POST', '/oauth2/token', credentials({ instance_id: instanceId }));
  expect(answer.status).toBe(200);
  return answer.body.access_token as string;
}

const tokenInfo = (token: unknown) => send('POST', '/oauth2/token-info', { token });
const getInstance = (authorization?: string) =>
  call('/apps/v1/instance', { headers: authorization ? { authorization } : {} });

function expectWixError(answer: Answer, status: number, code?: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('x-wix-request-id')).toMatch(/^\d+\.\d+$/);
  expect(answer.body).toEqual({
    message: expect.any(String),
    details: {
      applicationError: { code: code ?? expect.any(String), description: expect.any(String) },
    },
  });
}

describe('POST /oauth2/token', () => {
  it('mints a 4-hour Bearer token for the app credentials and counts it per instance', async () => {
    const answer = await send('POST', '/oauth2/token', credentials());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-wix-request-id')).toMatch(/^\d+\.\d+$/);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^OauthNG\.JWS\.[\w-]+\.[\w-]+\.[\w-]{43}$/),
      token_type: 'Bearer',
      expires_in: FOUR_HOURS,
    });
    await mint(INSTANCE_B);
    expect(emulator.stats()).toMatchObject({
      tokensMinted: 2,
      tokensMintedPerInstance: { [INSTANCE_A]: 1, [INSTANCE_B]: 1 },
    });
  });

  it('mints a different token every time', async () => {
    expect(await mint()).not.toBe(await mint());
  });

  it('accepts instanceId as an alias of instance_id', async () => {
    const answer = await send(
      'POST',
      '/oauth2/token',
      credentials({ instance_id: undefined, instanceId: INSTANCE_B }),
    );
    expect(answer.status).toBe(200);
    expect(emulator.stats().tokensMintedPerInstance).toEqual({ [INSTANCE_B]: 1 });
  });

  it('rejects a wrong secret with 401 and a Wix error body', async () => {
    const answer = await send('POST', '/oauth2/token', credentials({ client_secret: 'nope' }));
    expectWixError(answer, 401, 'INVALID_CLIENT');
    expect(emulator.stats().tokensMinted).toBe(0);
  });

  it("rejects another app's client_id with 401", async () => {
    const answer = await send('POST', '/oauth2/token', credentials({ client_id: OTHER_APP_ID }));
    expectWixError(answer, 401, 'INVALID_CLIENT');
  });

  it('rejects another grant type with 400', async () => {
    const answer = await send(
      'POST',
      '/oauth2/token',
      credentials({ grant_type: 'authorization_code' }),
    );
    expectWixError(answer, 400, 'UNSUPPORTED_GRANT_TYPE');
  });

  it('rejects a missing or blank instance_id with 400', async () => {
    expectWixError(
      await send('POST', '/oauth2/token', credentials({ instance_id: undefined })),
      400,
      'MISSING_INSTANCE_ID',
    );
    expectWixError(
      await send('POST', '/oauth2/token', credentials({ instance_id: '  ' })),
      400,
      'MISSING_INSTANCE_ID',
    );
  });

  it('refuses a removed instance, revokes its tokens, and mints again once reinstalled', async () => {
    const token = await mint();
    emulator.setInstance(INSTANCE_A, { removed: true });
    expectWixError(await send('POST', '/oauth2/token', credentials()), 403, 'APP_NOT_INSTALLED');
    expect((await tokenInfo(token)).body).toEqual({ active: false });
    emulator.setInstance(INSTANCE_A, { removed: false });
    await mint();
  });
});

describe('POST /oauth2/token-info', () => {
  it('reports an app token as active, issued by this app, for its instance, in seconds', async () => {
    const token = await mint();
    const answer = await tokenInfo(token);
    expect(answer.status).toBe(200);
    const iat = Math.floor(START / 1000);
    expect(answer.body).toEqual({
      active: true,
      subjectType: 'APP',
      subjectId: TEST_APP_ID,
      iat,
      exp: iat + FOUR_HOURS,
      clientId: TEST_APP_ID,
      siteId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      instanceId: INSTANCE_A,
    });
    expect(emulator.stats().tokenInfoCalls).toBe(1);
  });

  it("answers with strings, as Wix's own example does, in the 'strings' style", async () => {
    await start({ tokenInfoStyle: 'strings' });
    const iat = Math.floor(START / 1000);
    expect((await tokenInfo(await mint())).body).toMatchObject({
      active: 'true',
      iat: String(iat),
      exp: String(iat + FOUR_HOURS),
    });
    expect((await tokenInfo('OauthNG.JWS.unknown')).body).toEqual({ active: 'false' });
  });

  it('introspects a widget token created by another app, reporting that app as clientId', async () => {
    const token = emulator.issueWidgetToken({
      instanceId: INSTANCE_B,
      subjectType: 'MEMBER',
      subjectId: 'member-1',
      clientId: OTHER_APP_ID,
    });
    expect((await tokenInfo(token)).body).toMatchObject({
      active: true,
      subjectType: 'MEMBER',
      subjectId: 'member-1',
      clientId: OTHER_APP_ID,
      instanceId: INSTANCE_B,
    });
  });

  it('defaults widget tokens to a visitor of this app, and can leave out the instance id', async () => {
    const visitor = emulator.issueWidgetToken({ instanceId: INSTANCE_A });
    expect((await tokenInfo(visitor)).body).toMatchObject({
      subjectType: 'VISITOR',
      clientId: TEST_APP_ID,
      instanceId: INSTANCE_A,
    });
    const anonymous = emulator.issueWidgetToken({ instanceId: INSTANCE_A, omitInstanceId: true });
    const answer = await tokenInfo(anonymous);
    expect(answer.body.active).toBe(true);
    expect(answer.body).not.toHaveProperty('instanceId');
  });

  it('reports an inactive widget token as inactive', async () => {
    const token = emulator.issueWidgetToken({ instanceId: INSTANCE_A, active: false });
    expect((await tokenInfo(token)).body).toEqual({ active: false });
  });

  it('reports a token as inactive from the second it expires', async () => {
    const token = await mint();
    clock += (FOUR_HOURS - 1) * 1000;
    expect((await tokenInfo(token)).body.active).toBe(true);
    clock += 1000;
    expect((await tokenInfo(token)).body).toEqual({ active: false });
  });

  it('reports a revoked token as inactive', async () => {
    const token = await mint();
    emulator.revokeToken(token);
    expect((await tokenInfo(token)).body).toEqual({ active: false });
  });

  it('does not know forged tokens or signed app instances', async () => {
    const real = await mint();
    expect((await tokenInfo(`${real.slice(0, -4)}AAAA`)).body).toEqual({ active: false });
    const instance = await signInstance({ instanceId: INSTANCE_A }, TEST_APP_SECRET);
    expect((await tokenInfo(instance)).body).toEqual({ active: false });
  });

  it('rejects a missing or blank token and a body that is not JSON with 400', async () => {
    expectWixError(await send('POST', '/oauth2/token-info', {}), 400);
    expectWixError(await tokenInfo('   '), 400);
    expectWixError(await tokenInfo(42), 400);
    expectWixError(await send('POST', '/oauth2/token-info', '{"token":'), 400);
    expectWixError(await send('POST', '/oauth2/token-info', '["token"]'), 400);
  });
});

describe('GET /apps/v1/instance', () => {
  it('describes the instance and its site for an app token, with or without Bearer', async () => {
    const token = await mint();
    const answer = await getInstance(token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      instance: {
        instanceId: INSTANCE_A,
        appName: 'Emulated Wix App',
        appVersion: '1.0.0',
        isFree: true,
        permissions: ['WIX_DEVELOPERS.GET_APP_INSTANCE'],
      },
      site: {
        siteId: (await tokenInfo(token)).body.siteId,
        siteDisplayName: `Emulated site ${INSTANCE_A.slice(0, 8)}`,
        url: expect.stringMatching(/^https:\/\/[\w-]+\.wixsite\.com\/emulated$/),
        locale: 'en',
        paymentCurrency: 'USD',
      },
    });
    expect((await getInstance(`Bearer ${token}`)).body).toEqual(answer.body);
  });

  it('derives the site from the instance: the same in every run, different per instance', async () => {
    const siteOf = async () =>
      ((await getInstance(await mint(INSTANCE_A))).body.site as { siteId: string }).siteId;
    const first = await siteOf();
    await start();
    expect(await siteOf()).toBe(first);
    const other = (await getInstance(await mint(INSTANCE_B))).body.site as { siteId: string };
    expect(other.siteId).not.toBe(first);
  });

  it('reports the billing of a paid instance', async () => {
    emulator.setInstance(INSTANCE_A, { paid: { vendorProductId: 'premium' } });
    const { instance } = (await getInstance(await mint())).body as {
      instance: Record<string, unknown>;
    };
    expect(instance.isFree).toBe(false);
    expect(instance.billing).toEqual({
      packageName: 'premium',
      billingCycle: 'MONTHLY',
      timeStamp: new Date(START).toISOString(),
      expirationDate: expect.any(String),
      autoRenewing: true,
    });
    emulator.setInstance(INSTANCE_A, { paid: null });
    expect((await getInstance(await mint())).body.instance).toMatchObject({ isFree: true });
  });

  it('reports the cycle and expiry a plan was bought with, and a cancelled auto-renewal', async () => {
    const expirationDate = new Date(START + 365 * 86_400_000).toISOString();
    emulator.setInstance(INSTANCE_A, {
      paid: { vendorProductId: 'gold', billingCycle: 'YEARLY', expirationDate },
    });
    const billing = async () =>
      ((await getInstance(await mint())).body as { instance: { billing: unknown } }).instance
        .billing;
    expect(await billing()).toMatchObject({
      packageName: 'gold',
      billingCycle: 'YEARLY',
      expirationDate,
      autoRenewing: true,
    });

    emulator.setInstance(INSTANCE_A, { autoRenewing: false });
    expect(await billing()).toMatchObject({ packageName: 'gold', autoRenewing: false });
    // A new purchase renews again.
    emulator.setInstance(INSTANCE_A, { paid: { vendorProductId: 'platinum' } });
    expect(await billing()).toMatchObject({ packageName: 'platinum', autoRenewing: true });

    // On the free plan there is nothing to renew.
    emulator.setInstance(INSTANCE_A, { paid: null, autoRenewing: false });
    expect((await getInstance(await mint())).body.instance).not.toHaveProperty('billing');
  });

  it('forbids widget tokens with 403', async () => {
    const token = emulator.issueWidgetToken({ instanceId: INSTANCE_A, subjectType: 'USER' });
    expectWixError(await getInstance(token), 403, 'PERMISSION_DENIED');
  });

  it('rejects a missing, unknown or expired token with 401', async () => {
    expectWixError(await getInstance(), 401, 'UNAUTHENTICATED');
    expectWixError(await getInstance('OauthNG.JWS.made.up.token'), 401, 'UNAUTHENTICATED');
    const token = await mint();
    clock += FOUR_HOURS * 1000;
    expectWixError(await getInstance(token), 401, 'UNAUTHENTICATED');
  });

  it('counts calls per instance', async () => {
    const a = await mint(INSTANCE_A);
    const b = await mint(INSTANCE_B);
    await getInstance(a);
    await getInstance(a);
    await getInstance(b);
    expect(emulator.stats().apiCallsPerInstance).toEqual({ [INSTANCE_A]: 2, [INSTANCE_B]: 1 });
  });

  it('answers another method with 405 and an Allow header', async () => {
    const answer = await send('POST', '/apps/v1/instance', {});
    expectWixError(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe('GET');
  });
});

describe('per-instance rate limit', () => {
  it('answers 429 with Retry-After past the limit, and serves again once the window frees', async () => {
    await start({ rateLimitPerInstancePerMinute: 5 });
    const token = await mint();
    for (let i = 0; i < 5; i++) {
      expect((await getInstance(token)).status).toBe(200);
      clock += 1000;
    }
    const limited = await getInstance(token);
    expectWixError(limited, 429, 'RATE_LIMIT_EXCEEDED');
    // The first call was 5 s ago: the window frees in 55 s.
    expect(limited.headers.get('retry-after')).toBe('55');
    expect((await getInstance(await mint(INSTANCE_B))).status).toBe(200);

    clock += 55_000;
    expect((await getInstance(token)).status).toBe(200);
    expect((await getInstance(token)).status).toBe(429);
    expect(emulator.stats().apiCallsPerInstance[INSTANCE_A]).toBe(8);
  });

  it('can be turned off', async () => {
    await start({ rateLimitPerInstancePerMinute: 0 });
    const token = await mint();
    for (let i = 0; i < 210; i++) expect((await getInstance(token)).status).toBe(200);
  });
});

describe('fault injection', () => {
  it('delays every matching request by latencyMs until cleared', async () => {
    emulator.setFaults({ latencyMs: 120 });
    const started = performance.now();
    await mint();
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    emulator.clearFaults();
    await mint();
    expect(emulator.stats().faultsInjected.latency).toBe(1);
  });

  it('answers the next `count` requests with 429 and Retry-After, then recovers', async () => {
    emulator.setFaults({ status429: { count: 2, retryAfterSeconds: 7 } });
    for (let i = 0; i < 2; i++) {
      const answer = await send('POST', '/oauth2/token', credentials());
      expectWixError(answer, 429);
      expect(answer.headers.get('retry-after')).toBe('7');
    }
    await mint();
    expect(emulator.stats()).toMatchObject({
      tokensMinted: 1,
      faultsInjected: { status429: 2 },
    });
  });

  it('answers the next `count` requests with 500', async () => {
    emulator.setFaults({ status500: { count: 1 } });
    expectWixError(await tokenInfo('x'), 500, 'INTERNAL_ERROR');
    expect((await tokenInfo('x')).status).toBe(200);
    expect(emulator.stats().faultsInjected.status500).toBe(1);
  });

  it('drops the connection without answering', async () => {
    emulator.setFaults({ drop: { count: 1 } });
    await expect(fetch(`${emulator.url}/apps/v1/instance`)).rejects.toThrow();
    expect((await getInstance()).status).toBe(401);
    expect(emulator.stats().faultsInjected.dropped).toBe(1);
  });

  it('limits faults to the given paths', async () => {
    emulator.setFaults({ status500: { count: 1 }, paths: ['/oauth2/token-info'] });
    const token = await mint();
    expect((await tokenInfo(token)).status).toBe(500);
    expect((await tokenInfo(token)).status).toBe(200);
  });

  it('never applies faults to control endpoints or unknown paths', async () => {
    emulator.setFaults({ status500: { count: 1 } });
    expect((await call('/_emulator/stats')).status).toBe(200);
    expect((await call('/nothing-here')).status).toBe(404);
    expect((await tokenInfo('x')).status).toBe(500);
  });

  it('rejects a malformed fault definition', () => {
    expect(() => emulator.setFaults({ status500: { count: -1 } })).toThrow(TypeError);
    expect(() => emulator.setFaults({ latency: 5 } as never)).toThrow(/latency/);
  });
});

describe('control endpoints', () => {
  it('reports stats, counting Wix requests but not control ones', async () => {
    await tokenInfo(await mint());
    const answer = await call('/_emulator/stats');
    expect(answer.body).toEqual({
      tokensMinted: 1,
      tokensMintedPerInstance: { [INSTANCE_A]: 1 },
      tokenInfoCalls: 1,
      apiCallsPerInstance: {},
      requests: 2,
      faultsInjected: { latency: 0, status429: 0, status500: 0, dropped: 0 },
    });
  });

  it('sets and clears faults', async () => {
    const set = await send('PUT', '/_emulator/faults', { status500: { count: 5 } });
    expect(set.status).toBe(200);
    expect((await tokenInfo('x')).status).toBe(500);
    expect((await send('DELETE', '/_emulator/faults', '')).status).toBe(200);
    expect((await tokenInfo('x')).status).toBe(200);
    expectWixError(await send('PUT', '/_emulator/faults', { drop: { count: 'x' } }), 400);
  });

  it('issues widget tokens that Token Info knows', async () => {
    const answer = await send('POST', '/_emulator/widget-tokens', {
      instanceId: INSTANCE_B,
      subjectType: 'USER',
    });
    expect(answer.status).toBe(200);
    expect((await tokenInfo(answer.body.token)).body).toMatchObject({
      active: true,
      subjectType: 'USER',
      instanceId: INSTANCE_B,
    });
    expectWixError(await send('POST', '/_emulator/widget-tokens', { subjectType: 'USER' }), 400);
  });

  it('sets an instance paid or removed', async () => {
    const path = `/_emulator/instances/${INSTANCE_A}`;
    expect((await send('PUT', path, { paid: { vendorProductId: 'gold' } })).status).toBe(200);
    const token = await mint();
    expect((await getInstance(token)).body.instance).toMatchObject({ isFree: false });
    expect((await send('PUT', path, { removed: true })).status).toBe(200);
    expect((await getInstance(token)).status).toBe(401);
    expectWixError(await send('PUT', path, { removed: 'yes' }), 400);
    expectWixError(
      await send('PUT', path, { paid: { vendorProductId: 'gold', expirationDate: 'soon' } }),
      400,
    );
  });

  it('resets stats and faults', async () => {
    await mint();
    emulator.setFaults({ status500: { count: 3 } });
    expect((await send('POST', '/_emulator/reset', '')).status).toBe(200);
    expect(emulator.stats()).toMatchObject({ tokensMinted: 0, requests: 0 });
    await mint();
  });

  it('answers unknown control paths with 404 and wrong methods with 405', async () => {
    expectWixError(await call('/_emulator/nope'), 404, 'NOT_FOUND');
    expectWixError(await call('/_emulator/instances/a/b'), 404, 'NOT_FOUND');
    expectWixError(await send('POST', '/_emulator/stats', ''), 405, 'METHOD_NOT_ALLOWED');
  });
});

describe('robustness', () => {
  it('answers unknown paths with a Wix 404 and keeps serving', async () => {
    expectWixError(await call('/v1/unknown?x=1'), 404, 'NOT_FOUND');
    expectWixError(await call('/constructor'), 404, 'NOT_FOUND');
    await mint();
  });

  it('answers a body over 64 KiB with 413 and keeps serving', async () => {
    const huge = JSON.stringify({ token: 'x'.repeat(100 * 1024) });
    expectWixError(await send('POST', '/oauth2/token-info', huge), 413, 'PAYLOAD_TOO_LARGE');
    await mint();
  });

  it('survives invalid JSON and malformed HTTP', async () => {
    expectWixError(await send('POST', '/oauth2/token', '\u0000not json'), 400);
    const reply = await new Promise<string>((resolve, reject) => {
      const url = new URL(emulator.url);
      const socket = connect(Number(url.port), url.hostname, () =>
        socket.write('NOT HTTP\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    await mint();
  });

  it('closes open connections and pending delays on close()', async () => {
    emulator.setFaults({ latencyMs: 60_000 });
    const pending = fetch(`${emulator.url}/oauth2/token-info`, { method: 'POST', body: '{}' });
    pending.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await emulator.close();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('rejects invalid options at start', async () => {
    await expect(startWixEmulator({ appId: '', appSecret: 's' })).rejects.toThrow(/appId/);
    await expect(
      startWixEmulator({ appId: TEST_APP_ID, appSecret: 's', tokenTtlSeconds: 0 }),
    ).rejects.toThrow(/tokenTtlSeconds/);
  });
});
