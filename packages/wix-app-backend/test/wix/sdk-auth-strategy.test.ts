import { randomUUID } from 'node:crypto';
import { appInstances } from '@wix/app-management';
import { createClient } from '@wix/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WixEmulator } from '../../src/dev/wix-emulator';
import { createAppTokenProvider, type AppTokenProvider } from '../../src/wix/app-token-provider';
import { createTokenSealer } from '../../src/wix/seal-token';
import { createSdkAuthStrategy } from '../../src/wix/sdk-auth-strategy';
import { createWixFetch } from '../../src/wix/wix-fetch';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';
import { openMemoryStore, startTestEmulator, type MemoryStore } from './wix-harness';

const WIX_API_ORIGIN = 'https://www.wixapis.com';

let emulator: WixEmulator;
let memory: MemoryStore;

beforeAll(async () => {
  [emulator, memory] = await Promise.all([startTestEmulator(), openMemoryStore()]);
});
afterAll(async () => {
  await Promise.all([emulator.close(), memory.close()]);
});

function tokenProvider(): AppTokenProvider {
  return createAppTokenProvider({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    wixFetch: createWixFetch({ baseUrl: emulator.url }),
    store: memory.store,
    sealer: createTokenSealer(TEST_APP_SECRET),
  });
}

/** The SDK's module calls go to www.wixapis.com: send them to the emulator instead. */
function sdkClient(tokens: AppTokenProvider, instanceId: string, urls: string[] = []) {
  return createClient({
    auth: createSdkAuthStrategy(tokens, instanceId),
    modules: { appInstances },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      urls.push(url);
      return fetch(url.replace(WIX_API_ORIGIN, emulator.url), init);
    },
  });
}

const mints = (id: string) => emulator.stats().tokensMintedPerInstance[id] ?? 0;

describe('createSdkAuthStrategy with @wix/sdk', () => {
  it('answers getAuthHeaders with the provider’s token as the raw Authorization', async () => {
    const id = randomUUID();
    const tokens = tokenProvider();
    const { headers } = await createSdkAuthStrategy(tokens, id).getAuthHeaders();
    expect(headers).toEqual({ Authorization: await tokens.getToken(id) });
    expect(headers.Authorization).toMatch(/^OauthNG\.JWS\./);
  });

  it('lets appInstances.getAppInstance() read the instance from Wix with our token', async () => {
    const id = randomUUID();
    const urls: string[] = [];
    const result = await sdkClient(tokenProvider(), id, urls).appInstances.getAppInstance();
    expect(urls).toEqual([`${WIX_API_ORIGIN}/apps/v1/instance`]);
    expect(result.instance).toMatchObject({
      instanceId: id,
      appName: 'Emulated Wix App',
      appVersion: '1.0.0',
      isFree: true,
    });
    expect(result.site).toMatchObject({ siteDisplayName: `Emulated site ${id.slice(0, 8)}` });
    expect(emulator.stats().apiCallsPerInstance[id]).toBe(1);
  });

  it('mints exactly one token for 20 concurrent SDK calls for a fresh instance', async () => {
    const id = randomUUID();
    const client = sdkClient(tokenProvider(), id);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.appInstances.getAppInstance()),
    );
    expect(results.map((r) => r.instance?.instanceId)).toEqual(Array(20).fill(id));
    expect(mints(id)).toBe(1);
    expect(emulator.stats().apiCallsPerInstance[id]).toBe(20);
  });

  it('shares the token with other clients and processes through the database', async () => {
    const id = randomUUID();
    await sdkClient(tokenProvider(), id).appInstances.getAppInstance();
    await sdkClient(tokenProvider(), id).appInstances.getAppInstance();
    expect(mints(id)).toBe(1);
  });

  it('surfaces Wix’s 401 through the SDK once the app was removed from the site', async () => {
    const id = randomUUID();
    const client = sdkClient(tokenProvider(), id);
    await client.appInstances.getAppInstance();
    emulator.setInstance(id, { removed: true }); // revokes the cached token
    await expect(client.appInstances.getAppInstance()).rejects.toMatchObject({
      status: 401,
      details: { applicationError: { code: 'UNAUTHENTICATED' } },
    });
  });

  // The SDK has no hook for a refused token: the strategy keeps handing out the cached one until
  // the provider is told (app-client does this on its own; SDK callers must call invalidate).
  it('keeps failing with a revoked token until the provider is told, then recovers', async () => {
    const id = randomUUID();
    const tokens = tokenProvider();
    const client = sdkClient(tokens, id);
    await client.appInstances.getAppInstance();
    const revoked = await tokens.getToken(id);
    emulator.revokeToken(revoked);
    await expect(client.appInstances.getAppInstance()).rejects.toMatchObject({ status: 401 });
    await expect(client.appInstances.getAppInstance()).rejects.toMatchObject({ status: 401 });

    await tokens.invalidate(id, revoked);
    const result = await client.appInstances.getAppInstance();
    expect(result.instance?.instanceId).toBe(id);
    expect(mints(id)).toBe(2);
  });
});
