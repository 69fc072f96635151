import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/wix/instance/route';
import type { WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { siteIdFor } from 'wix-app-backend/dev/wix-emulator/instances';
import { createTestApp, expectProblem, TEST_APP_SECRET, type TestApp } from '@/test/kit';

// Wix calls go to the local emulator the kit starts (WIX_EMULATOR unset: the source says 'wix').
let kit: TestApp;
let emulator: WixEmulator;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true });
  emulator = kit.emulator!;
});
afterAll(() => kit.close());

async function getInstance(instanceId: string, permissions: string | null = 'OWNER') {
  const auth = await kit.signInstance({ instanceId, permissions });
  return kit.call(GET, '/api/wix/instance', { auth });
}

const mints = (id: string) => emulator.stats().tokensMintedPerInstance[id] ?? 0;

describe('GET /api/wix/instance', () => {
  it('answers 200 with the instance as Wix reports it, from Wix (not the emulator flag)', async () => {
    const id = randomUUID();
    const siteId = siteIdFor(id);
    const response = await getInstance(id);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      instanceId: id,
      appName: 'Emulated Wix App',
      appVersion: '1.0.0',
      isFree: true,
      plan: null,
      billing: null,
      site: {
        id: siteId,
        name: `Emulated site ${id.slice(0, 8)}`,
        url: `https://site-${siteId.slice(0, 8)}.wixsite.com/emulated`,
        locale: 'en',
      },
      source: 'wix',
    });
    expect(mints(id)).toBe(1);
  });

  it('reports a paid plan', async () => {
    const id = randomUUID();
    emulator.setInstance(id, { paid: { vendorProductId: 'premium' } });
    const response = await getInstance(id);
    expect(await response.json()).toMatchObject({ isFree: false, plan: 'premium' });
  });

  it('refuses a site member or visitor without calling Wix: only the dashboard spends the budget', async () => {
    const id = randomUUID();
    await expectProblem(await getInstance(id, null), 403, 'caller_not_allowed');
    const visitor = await kit.signInstance({ instanceId: id, permissions: null, uid: null });
    await expectProblem(
      await kit.call(GET, '/api/wix/instance', { auth: visitor }),
      403,
      'caller_not_allowed',
    );
    expect(mints(id)).toBe(0);
  });

  it('answers 200 concurrent requests for a fresh instance, all 200, with one token mint', async () => {
    const id = randomUUID();
    const auth = await kit.signInstance({ instanceId: id });
    // The emulator counts for the whole file: another test injects 429s on purpose.
    const injected429s = emulator.stats().faultsInjected.status429;
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => kit.call(GET, '/api/wix/instance', { auth })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(mints(id)).toBe(1);
    const calls = emulator.stats().apiCallsPerInstance[id] ?? 0;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(200);
    expect(emulator.stats().faultsInjected.status429 - injected429s).toBe(0);
  });

  it('answers 401 without a credential, without calling Wix', async () => {
    const before = emulator.stats().requests;
    const response = await kit.call(GET, '/api/wix/instance');
    await expectProblem(response, 401, 'missing_credentials');
    expect(emulator.stats().requests).toBe(before);
  });

  it('answers 401 for a forged instance, without calling Wix', async () => {
    const before = emulator.stats().requests;
    const auth = await kit.signInstance({ secret: 'other-secret' });
    const response = await kit.call(GET, '/api/wix/instance', { auth });
    await expectProblem(response, 401, 'invalid_signature');
    expect(emulator.stats().requests).toBe(before);
  });

  it('answers 503 wix_rate_limited with Retry-After when Wix keeps answering 429', async () => {
    const id = randomUUID();
    emulator.setFaults({
      status429: { count: 1_000, retryAfterSeconds: 30 },
      paths: ['/apps/v1/instance'],
    });
    try {
      const response = await getInstance(id);
      await expectProblem(response, 503, 'wix_rate_limited');
      expect(response.headers.get('retry-after')).toBe('30');
    } finally {
      emulator.clearFaults();
    }
  });

  it('answers 502 wix_auth_failed for a site the app was removed from', async () => {
    const id = randomUUID();
    emulator.setInstance(id, { removed: true });
    await expectProblem(await getInstance(id), 502, 'wix_auth_failed');
  });

  it('never shows the app token or the secret in an answer', async () => {
    const id = randomUUID();
    const response = await getInstance(id);
    const text = [...response.headers].join('\n') + (await response.text());
    expect(text).not.toContain('OauthNG');
    expect(text).not.toContain(TEST_APP_SECRET);
  });
});

// The same app with Wix out of reach (nothing listens on port 9): the shared emulator stays up
// for the other tests, whatever order they run in.
describe('GET /api/wix/instance when Wix is down', () => {
  it('answers 502 wix_unavailable with Retry-After, not 500', async () => {
    const down = kit.withEnv({ WIX_API_BASE_URL: 'http://127.0.0.1:9' });
    const auth = await down.signInstance({ instanceId: randomUUID() });
    const response = await down.call(GET, '/api/wix/instance', { auth });
    await expectProblem(response, 502, 'wix_unavailable');
    expect(response.headers.get('retry-after')).toBe('5');
  });
});
